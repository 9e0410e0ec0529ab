from celery import shared_task

from mds_connectees import health


@shared_task(ignore_result=True)
def beat_tick() -> None:
    """Prove that beat, the broker and a worker all work: /healthz reads the mark it leaves."""
    health.record_beat_tick()
