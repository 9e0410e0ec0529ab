"""Mediation's periodic jobs (mds_connectees.celery.beat_schedule): each calls one service, safe to run twice."""

from celery import shared_task

from mediation import messages, privacy, registrations


@shared_task(ignore_result=True)
def expire_offers() -> int:
    """Every 10 minutes: offers past their time pass to the next person waiting."""
    return registrations.offers_expire()


@shared_task(ignore_result=True)
def anonymise_expired_registrations() -> dict[str, int]:
    """Daily: registrations a year after their session, and idle beneficiaries, anonymised."""
    return privacy.anonymise_expired()


@shared_task(bind=True, ignore_result=True, max_retries=None)
def send_message(self, message_id: int) -> None:
    """Send one message of mediation's outbox. Safe twice: the service sends only a pending, due row it could
    lock. After a transient failure it says when to try again (backoff); the retry is this task, or the sweep."""
    delay = messages.message_send(message_id=message_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(ignore_result=True)
def sweep_messages() -> int:
    """Every minute: reminders now due, what the broker never got, what a dead worker held."""
    return messages.messages_sweep()
