from celery import shared_task

from captive_portal import stats


@shared_task(ignore_result=True)
def rollup_portal_stats() -> int:
    """Hourly (beat). Safe to run twice: the roll-up upserts each site's hour."""
    return stats.stats_rollup()
