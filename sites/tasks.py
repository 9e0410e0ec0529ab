from celery import shared_task

from sites import notifications, retention


@shared_task(ignore_result=True)
def purge_expired_personal_data() -> dict[str, int]:
    """Safe to run twice: a second run finds nothing left to delete."""
    return retention.purge_expired()


@shared_task(
    ignore_result=True,
    autoretry_for=(OSError,),  # SMTP down or refusing: try again later, with backoff
    retry_backoff=30,
    retry_backoff_max=60 * 30,
    max_retries=10,
)
def send_email(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    notifications.deliver_email(subject=subject, body=body, to=to, html_body=html_body)
