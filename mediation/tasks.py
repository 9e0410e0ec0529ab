"""Mediation's periodic jobs (mds_connectees.celery.beat_schedule): each calls one service, safe to run twice."""

from celery import shared_task

from mediation import privacy, registrations


@shared_task(ignore_result=True)
def expire_offers() -> int:
    """Every 10 minutes: offers past their time pass to the next person waiting."""
    return registrations.offers_expire()


@shared_task(ignore_result=True)
def anonymise_expired_registrations() -> dict[str, int]:
    """Daily: registrations a year after their session, and idle beneficiaries, anonymised."""
    return privacy.anonymise_expired()
