from celery import shared_task

from wifi import notifications, polling, services


@shared_task(ignore_result=True)
def poll_round() -> None:
    """Beat's minute round (queue `wifi`). `expires` drops a round not started in time, but the wifi worker
    runs two at once: one that finds the previous round still running is skipped and counted (round_run)."""
    polling.round_run()


@shared_task(ignore_result=True)
def compute_rollups() -> None:
    services.rollups_compute()


@shared_task(ignore_result=True)
def compute_daily_rollups() -> None:
    """Hourly too: it sums a day once the hourly roll-ups cover it, and catches up after an outage."""
    services.daily_rollups_compute()


# Alerts go through the default queue (not `wifi.tasks.*`): a long polling round never delays them.
@shared_task(name="notifications.wifi_incident_alerts", ignore_result=True, autoretry_for=(OSError,),
             retry_backoff=30, max_retries=10)  # fmt: skip
def send_incident_alerts() -> None:
    services.incident_alerts_send()


@shared_task(name="notifications.wifi_webhook_delivery", bind=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> None:
    """One POST of a team webhook; the service says when to try again (backoff), and stops after the last try."""
    delay = notifications.webhook_delivery_attempt(delivery_id=delivery_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(name="notifications.wifi_webhook_sweep", ignore_result=True)
def sweep_webhook_deliveries() -> None:
    """Deliveries whose retry was lost (broker down, worker killed) are queued again."""
    notifications.webhook_deliveries_sweep()
