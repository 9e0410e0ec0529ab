"""The Celery application: one broker configuration, two queues, one beat schedule.

The web process publishes; it must never wait long on a broker that is down, so connect
and publish are bounded. Tasks are idempotent by contract, hence late acknowledgement.
"""

import logging
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_init
from django.conf import settings
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mds_connectees.settings")

app = Celery("mds_connectees")
logger = logging.getLogger(__name__)


def configure(celery_app: Celery) -> None:
    celery_app.conf.update(
        broker_url=settings.CELERY_BROKER_URL,
        result_backend=settings.CELERY_RESULT_BACKEND,
        # Redis: short socket timeouts so that a down broker fails fast in a web request.
        broker_transport_options={
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
            "max_retries": 1,
            "visibility_timeout": 60 * 60,
        },
        broker_connection_timeout=2,
        broker_connection_retry_on_startup=True,
        # A delay() from a web request gives up after about a second instead of hanging.
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5},
        redis_socket_timeout=2,
        redis_socket_connect_timeout=2,
        redis_backend_health_check_interval=30,
        result_expires=60 * 60 * 24,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone=settings.TIME_ZONE,
        enable_utc=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=120,
        task_time_limit=180,
        task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER,
        # WiFi polling has a queue of its own so that a slow round never delays a notification.
        task_default_queue="default",
        task_queues=(Queue("default"), Queue("wifi")),
        task_routes={"wifi.tasks.*": {"queue": "wifi"}},
        beat_schedule=beat_schedule(),
        beat_schedule_filename=str(settings.VAR_DIR / "celerybeat-schedule"),
        worker_hijack_root_logger=False,
    )


def beat_schedule() -> dict:
    """Every periodic job of the platform, in this one place. Apps add their rows here."""
    return {
        "beat-tick": {
            "task": "mds_connectees.tasks.beat_tick",
            "schedule": float(settings.BEAT_TICK_SECONDS),
            "options": {"expires": settings.BEAT_TICK_SECONDS},
        },
        "wifi-poll-round": {
            "task": "wifi.tasks.poll_round",
            "schedule": float(settings.WIFI_POLL_SECONDS),
            # A round not started within its interval is dropped: the next one supersedes it.
            "options": {"expires": settings.WIFI_POLL_SECONDS},
        },
        "wifi-rollups": {"task": "wifi.tasks.compute_rollups", "schedule": crontab(minute=5)},
        # After the hourly one: the monthly report reads the days it has summed.
        "wifi-daily-rollups": {"task": "wifi.tasks.compute_daily_rollups", "schedule": crontab(minute=25)},
        "wifi-incident-alerts-sweep": {
            # Alerts the broker could not take when they were raised wait in the outbox: resend them.
            "task": "notifications.wifi_incident_alerts",
            "schedule": 300.0,
        },
        # Team webhooks whose retry the broker lost are queued again (wifi.notifications).
        "wifi-webhook-sweep": {"task": "notifications.wifi_webhook_sweep", "schedule": 300.0},
        # The portal's usage statistics, from the connection log's finished hours (idempotent upsert).
        "portal-stats-rollup": {"task": "captive_portal.tasks.rollup_portal_stats", "schedule": crontab(minute=7)},
        "purge-expired-personal-data": {
            "task": "sites.tasks.purge_expired_personal_data",
            "schedule": crontab(hour=3, minute=17),
        },
        # The online reception's outbox: what the broker never got, what a dead worker held, reminders now due.
        # A sweep not started within its interval is dropped: the next one finds the same rows.
        "accueil-notifications-sweep": {
            "task": "accueil.tasks.sweep_pending_notifications",
            "schedule": float(settings.ACCUEIL_NOTIFY_SWEEP_EVERY_SECONDS),
            "options": {"expires": settings.ACCUEIL_NOTIFY_SWEEP_EVERY_SECONDS},
        },
        # The reception's closed requests, old messages and idle records anonymised (accueil.privacy).
        "accueil-anonymise-expired": {
            "task": "accueil.tasks_privacy.anonymise_expired_personal_data",
            "schedule": crontab(hour=3, minute=37),
        },
        # Workshop seats offered from the waiting list and not taken in time pass to the next person (mediation).
        "mediation-expire-offers": {
            "task": "mediation.tasks.expire_offers",
            "schedule": float(settings.MEDIATION_OFFERS_EVERY_SECONDS),
            "options": {"expires": settings.MEDIATION_OFFERS_EVERY_SECONDS},
        },
        # Mediation's outbox (mediation.messages): the day-before reminders now due, what the broker never got.
        "mediation-messages-sweep": {
            "task": "mediation.tasks.sweep_messages",
            "schedule": float(settings.MEDIATION_NOTIFY_SWEEP_EVERY_SECONDS),
            "options": {"expires": settings.MEDIATION_NOTIFY_SWEEP_EVERY_SECONDS},
        },
        # Workshop registrations a year after their session, and idle beneficiaries, anonymised (mediation.privacy).
        "mediation-anonymise-expired": {
            "task": "mediation.tasks.anonymise_expired_registrations",
            "schedule": crontab(hour=3, minute=47),
        },
    }


configure(app)
app.autodiscover_tasks()
# Tasks of the project package itself (beat tick) live outside any app.
app.autodiscover_tasks(["mds_connectees"])


@worker_init.connect
@beat_init.connect
def _refuse_without_secret_key(**kwargs) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from mds_connectees.startup import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        raise SystemExit(str(error)) from None  # Celery logs and ignores a signal handler's ordinary exception


@beat_init.connect
def _first_tick_now(sender=None, **kwargs) -> None:
    """The first beat tick goes out as beat starts, not one interval later: /healthz turns 200 as soon as a worker
    has taken it (seconds after scripts/run starts instead of a minute). Still through the broker and a worker."""
    try:
        app.send_task("mds_connectees.tasks.beat_tick", queue="default", expires=settings.BEAT_TICK_SECONDS)
    except Exception as error:  # beat must start anyway: its schedule sends the next tick
        logger.warning("first beat tick not sent (%s); the schedule sends the next one", error)
