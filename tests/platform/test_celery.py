import subprocess
import sys

from mds_connectees.celery import app as celery_app
from tests.support import child_env


def test_publishing_gives_up_quickly_when_the_broker_is_down():
    """A web request that enqueues a task must fail fast, not hang, when Redis is down."""
    script = (
        "import time, django; django.setup(); from mds_connectees.tasks import beat_tick; t = time.monotonic()\n"
        "try:\n    beat_tick.delay(); print('published')\n"
        "except Exception as exc:\n    print(type(exc).__name__, round(time.monotonic() - t, 1))"
    )
    env = child_env(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    assert out[0] == "OperationalError"
    # Bounded by the connect timeout and publish retry policy (~2 s), with a wide margin for a loaded machine.
    assert float(out[1]) < 15


def test_wifi_tasks_have_a_queue_of_their_own():
    route = celery_app.amqp.router.route({}, "wifi.tasks.poll_round")
    assert route["queue"].name == "wifi"
    assert celery_app.amqp.router.route({}, "accueil.tasks.notify")["queue"].name == "default"


def test_tasks_are_json_only_acknowledged_late_and_time_limited():
    conf = celery_app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit


def test_the_beat_schedule_ticks_for_healthz():
    assert celery_app.conf.beat_schedule["beat-tick"]["task"] == "mds_connectees.tasks.beat_tick"


def test_beat_sends_the_first_tick_as_it_starts_so_healthz_turns_green_in_seconds(monkeypatch):
    """Not one interval (a minute) after start: scripts/run's /healthz is 200 once a worker took this tick."""
    from celery.signals import beat_init

    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, **options: sent.append((name, options["queue"])))
    beat_init.send(sender=None)
    assert ("mds_connectees.tasks.beat_tick", "default") in sent


def test_beat_starts_even_when_the_first_tick_cannot_be_sent(monkeypatch, caplog):
    from celery.signals import beat_init
    from kombu.exceptions import OperationalError

    def broker_down(name, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    beat_init.send(sender=None)  # no exception: beat goes on, its schedule sends the next tick
    assert "first beat tick not sent" in caplog.text
