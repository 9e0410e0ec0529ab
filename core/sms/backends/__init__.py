"""SMS backends, one module each, named by SMS_BACKEND (see core.sms)."""
