from celery import shared_task

from sites import retention


@shared_task(ignore_result=True)
def purge_expired_personal_data() -> dict[str, int]:
    """Safe to run twice: a second run finds nothing left to delete."""
    return retention.purge_expired()
