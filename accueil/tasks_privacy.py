"""The daily anonymisation of the reception's expired personal data (accueil.privacy, accueil.retention)."""

from celery import shared_task

from accueil import privacy


@shared_task(ignore_result=True)
def anonymise_expired_personal_data() -> dict[str, int]:
    """Safe to run twice: what is anonymised no longer matches; bounded batches keep every lock short."""
    report = privacy.anonymise_expired()
    return {**report.rows, "messages": report.messages, "people": report.people}
