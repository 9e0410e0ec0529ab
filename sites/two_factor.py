"""The second factor: TOTP devices, backup codes, their replacement and an administrator's reset.

Rules the views rely on:
- a password alone enrols a device only on an account that has no confirmed device at all; once it
  has one (TOTP or backup codes), a new authenticator needs the current one or a backup code
  (`totp_device_replace`), or an administrator's audited reset (`totp_device_reset`);
- backup codes are django-otp static tokens, each usable once, shown only when issued.
"""

import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites import privileges
from sites.audit import record_event
from sites.models import Agent
from sites.notifications import email_send_after_commit

BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "backup"
TOTP_DEVICE_NAME = "default"
_REPLACEMENT_NAME = "replacement"


def _audit(*, agent: Agent, actor: Agent | None, event: str, reason: str = "") -> None:
    record_event(actor=actor, instance=agent, subject="second_factor", event=event, reason=reason)


def _notify(*, agent: Agent, subject: str, body: str) -> None:
    email_send_after_commit(subject=subject, body=body, to=[agent.email])


def has_second_factor(agent: Agent) -> bool:
    """Whether the account has any confirmed device (authenticator or backup codes)."""
    return any(True for _device in devices_for_user(agent, confirmed=True))


def totp_device_to_enrol(*, agent: Agent) -> TOTPDevice:
    """The unconfirmed authenticator of a first enrolment (the same on every reload, so the QR code holds).

    Refused once the account has a confirmed device: a password alone never adds a device then.
    """
    if has_second_factor(agent):
        raise PermissionDenied("The account already has a second factor.")
    device = TOTPDevice.objects.filter(user=agent, confirmed=False, name=TOTP_DEVICE_NAME).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=agent, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, agent: Agent, device: TOTPDevice) -> list[str]:
    """Confirm a first authenticator whose code the agent typed; returns the backup codes to show once."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=agent, confirmed=False)
    if has_second_factor(agent):  # another tab enrolled meanwhile
        raise PermissionDenied("The account already has a second factor.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _audit(agent=agent, actor=agent, event="totp_enrolled")
    return backup_codes_issue(agent=agent)


@transaction.atomic
def backup_codes_issue(*, agent: Agent) -> list[str]:
    """Replace the agent's backup codes with new ones; the old ones stop working. Returns them to show once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=agent, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    _audit(agent=agent, actor=agent, event="backup_codes_issued")
    return codes


def backup_codes_remaining(*, agent: Agent) -> int:
    return StaticToken.objects.filter(device__user=agent, device__confirmed=True).count()


def totp_device_for_replacement(*, agent: Agent) -> TOTPDevice:
    """The new, unconfirmed authenticator an agent scans while replacing theirs (the view checked the old one)."""
    device = TOTPDevice.objects.filter(user=agent, confirmed=False, name=_REPLACEMENT_NAME).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=agent, name=_REPLACEMENT_NAME, confirmed=False)


REPLACEMENT_PROOF_SECONDS = 10 * 60  # how long the current factor, once typed, allows enrolling a new one


def replacement_proven(proven_at: float | None) -> bool:
    """Whether the agent typed their current code or a backup code recently enough (`time.time()` then)."""
    return proven_at is not None and 0 <= time.time() - proven_at < REPLACEMENT_PROOF_SECONDS


@transaction.atomic
def totp_device_replace(*, agent: Agent, device: TOTPDevice, proven_at: float | None) -> TOTPDevice:
    """Make `device` (whose code the agent just typed) the agent's only authenticator, and tell them by email.

    Only after the current second factor was proven (`proven_at`): a password alone never enrols a device on an
    account that has one, whichever caller asks."""
    if not replacement_proven(proven_at):
        raise PermissionDenied(_("Type the code of your current authenticator app or a backup code first."))
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=agent, confirmed=False)
    TOTPDevice.objects.filter(user=agent).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.name = TOTP_DEVICE_NAME
    device.save(update_fields=["confirmed", "name"])
    _audit(agent=agent, actor=agent, event="totp_replaced")
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            agent=agent,
            subject=_("MDS Connectées: your authenticator app was replaced"),
            body=_(
                "Hello,\n\nThe authenticator app of your MDS Connectées account (%(email)s) was just replaced. "
                "The previous one no longer works.\n\nIf you did not do this, tell an administrator at once."
            )
            % {"email": agent.email},
        )
    return device


def may_reset_second_factors(agent: Agent) -> bool:
    return privileges.is_administrator(agent)


@transaction.atomic
def totp_device_reset(*, agent: Agent, by: Agent, reason: str) -> int:
    """An administrator removes a lost phone's authenticator and the backup codes; audited; the agent is told.

    At their next sign-in the agent enrols a new authenticator. Nobody resets their own second factor
    (they replace it with the current one instead). Returns the number of devices removed.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the reset (e.g. the ticket or the phone lost)."), code="reason")
    if by.pk == agent.pk:
        raise PermissionDenied(_("Nobody resets their own second factor: replace it from your account instead."))
    if not may_reset_second_factors(by):
        raise PermissionDenied(_("Only an administrator resets a second factor."))
    if not privileges.may_change_account(by=by, agent=agent):
        raise PermissionDenied(_("Only a superuser resets the second factor of an account that holds a privilege."))
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=agent).delete()[1].get(model._meta.label, 0)
    _audit(agent=agent, actor=by, event="second_factor_reset", reason=reason)
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            agent=agent,
            subject=_("MDS Connectées: your two-step verification was reset"),
            body=_(
                "Hello,\n\n%(admin)s reset the two-step verification of your MDS Connectées account (%(email)s). "
                "Reason given: %(reason)s\n\nAt your next sign-in you will set up your authenticator app again "
                "and receive new backup codes.\n\nIf you did not ask for this, tell an administrator at once."
            )
            % {"admin": by.get_full_name() or by.email, "email": agent.email, "reason": reason},
        )
    return removed


def second_factor_verify(*, agent: Agent, token: str) -> Device | None:
    """The confirmed device of `agent` that accepts `token` (a 6-digit code or a backup code), or None.

    A backup code is used up. Raises `ThrottledError` while django-otp makes the agent wait after wrong codes.
    """
    token = "".join(token.split()).lower()
    model = TOTPDevice if token.isdigit() else StaticDevice
    for device in model.objects.filter(user=agent, confirmed=True).order_by("pk"):
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            raise ThrottledError
        if device.verify_token(token):
            return device
    return None


class ThrottledError(Exception):
    """django-otp refuses to check codes for a few seconds after wrong ones."""
