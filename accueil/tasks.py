"""The online reception's Celery tasks: each takes ids and calls one service of accueil.notifications."""

from celery import shared_task

from accueil import notifications


@shared_task(bind=True, ignore_result=True, max_retries=None)
def send_notification(self, notification_id: int) -> None:
    """Send one outbox row. Safe twice: the service sends only a pending, due row it could lock. After a transient
    failure it says when to try again (backoff, bounded by ACCUEIL_NOTIFY_MAX_ATTEMPTS); the retry is this task
    again, or the sweep if the broker lost it."""
    delay = notifications.notification_send(notification_id=notification_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(ignore_result=True)
def sweep_pending_notifications() -> None:
    """What the broker never got, what a dead worker held, what is due now (reminders): sent from here."""
    notifications.notifications_sweep()
