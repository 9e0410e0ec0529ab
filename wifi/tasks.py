from celery import shared_task

from wifi import polling, services


@shared_task(ignore_result=True)
def poll_round() -> None:
    """Beat's minute round (queue `wifi`). `expires` drops a round not started in time, but the wifi worker
    runs two at once: one that finds the previous round still running is skipped and counted (round_run)."""
    polling.round_run()


@shared_task(ignore_result=True)
def compute_rollups() -> None:
    services.rollups_compute()


# Alerts go through the default queue (not `wifi.tasks.*`): a long polling round never delays them.
@shared_task(name="notifications.wifi_incident_alerts", ignore_result=True, autoretry_for=(OSError,),
             retry_backoff=30, max_retries=10)  # fmt: skip
def send_incident_alerts() -> None:
    services.incident_alerts_send()
