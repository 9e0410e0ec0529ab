"""scripts/servers.py: the PostgreSQL and Redis that scripts/run and scripts/test use.

A URL given is used as it is; else the local server when it answers; else a real server embedded under var/,
started, reachable at the URL returned, and stopped by whoever started it.
"""

import importlib.util
import socket
import sys

import psycopg
import pytest
import redis
from django.conf import settings

from mds_connectees.settings import BASE_DIR

spec = importlib.util.spec_from_file_location("dev_servers", BASE_DIR / "scripts" / "servers.py")
servers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(servers)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _must_not_embed():
    raise AssertionError("embedded a server although one was named or answered")


def test_a_given_url_is_used_as_it_is_even_when_nothing_answers_there():
    given = f"postgres://mds@127.0.0.1:{_closed_port()}/mds"
    server = servers.find("postgres", given, servers.DEFAULT_DATABASE_URL, _must_not_embed)
    assert (server.url, server.origin, server.started) == (given, "given", False)


def test_the_local_servers_are_used_when_they_answer():
    database = servers.find("postgres", None, _test_database_url(), _must_not_embed)
    cache = servers.find("redis", None, settings.REDIS_URL, _must_not_embed)
    assert (database.origin, database.url) == ("local", _test_database_url())
    assert (cache.origin, cache.url) == ("local", settings.REDIS_URL)


def test_nothing_answering_starts_embedded_servers_that_answer_at_the_url_returned_and_stop(tmp_path):
    closed = _closed_port()
    database = servers.find(
        "postgres", None, f"postgres://postgres@127.0.0.1:{closed}/mds", lambda: servers.embed_postgres(tmp_path, "mds")
    )
    cache = servers.find("redis", None, f"redis://127.0.0.1:{closed}/0", lambda: servers.embed_redis(tmp_path, 15))
    try:
        assert (database.origin, database.started, cache.origin, cache.started) == ("embedded", True, "embedded", True)
        assert database.url.endswith("/mds") and cache.url.endswith("/15")
        servers.ensure_database(database.url)  # the application's database is created on it
        with psycopg.connect(database.url) as conn:
            assert conn.execute("SHOW server_version").fetchone()[0].startswith("18.")
        assert redis.Redis.from_url(cache.url).ping()
        assert (tmp_path / "pg" / "PG_VERSION").exists()
        # A second command while they run (scripts/test beside scripts/run) uses them and leaves them running.
        again = servers.embed_postgres(tmp_path, "mds")
        assert (again.url, again.started) == (database.url, False)
        assert servers.embed_redis(tmp_path, 15).started is False
    finally:
        database.stop()
        cache.stop()
    assert servers.postgres_problem(database.url) is not None
    assert servers.redis_problem(cache.url) is not None
    # Data stays for the next run: no second initdb, the database is still there.
    again = servers.embed_postgres(tmp_path, "mds")
    try:
        with psycopg.connect(again.url) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == "mds"
    finally:
        again.stop()


def test_the_command_runs_with_the_urls_and_ctrl_c_ends_it_as_a_shell_would(monkeypatch, capfd):
    monkeypatch.setenv("DATABASE_URL", _test_database_url())
    monkeypatch.setenv("TEST_REDIS_URL", settings.REDIS_URL)
    probe = 'test "$DATABASE_URL|$REDIS_URL|$MDS_SERVERS_READY" = "$WANT" && echo urls-ok; kill -INT $$'
    monkeypatch.setenv("WANT", f"{_test_database_url()}|{settings.REDIS_URL}|1")
    assert servers.main(["test", "--", "sh", "-c", probe]) == 130
    out = capfd.readouterr().out
    assert "urls-ok" in out
    assert "PostgreSQL and Redis:" in out  # the one line saying which servers
    assert servers.main(["test", "--", sys.executable, "-c", "raise SystemExit(3)"]) == 3


@pytest.fixture(autouse=True)
def _restore_signals():
    import signal

    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGINT, handlers[0])
    signal.signal(signal.SIGTERM, handlers[1])


def test_servers_left_running_by_a_killed_command_are_stopped_by_the_next(monkeypatch, tmp_path, capfd):
    monkeypatch.setattr(servers, "ROOT", tmp_path)  # var/ of a checkout of its own
    monkeypatch.setattr(servers, "DEFAULT_DATABASE_URL", f"postgres://postgres@127.0.0.1:{_closed_port()}/mds")
    monkeypatch.setattr(servers, "DEFAULT_REDIS_URL", {"test": f"redis://127.0.0.1:{_closed_port()}/15"})
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TEST_REDIS_URL", raising=False)
    var = tmp_path / "var"
    var.mkdir()
    left = [servers.embed_postgres(var, "mds"), servers.embed_redis(var, 15)]  # their command was killed -9
    (var / "postgres.owner").write_text("999999999")  # no such process
    try:
        assert servers.main(["test", "--", "true"]) == 0
        assert "stopped when this command ends" in capfd.readouterr().out
        assert servers.postgres_problem(left[0].url) is not None
        assert servers.redis_problem(left[1].url) is not None
    finally:
        for server in left:
            server.stop()


def test_a_given_server_that_does_not_answer_is_said_in_one_line(monkeypatch, capfd):
    monkeypatch.setenv("DATABASE_URL", f"postgres://postgres:secret@127.0.0.1:{_closed_port()}/mds")
    monkeypatch.setenv("TEST_REDIS_URL", settings.REDIS_URL)
    assert servers.main(["test", "--", "true"]) == 1
    err = capfd.readouterr().err
    assert "error: PostgreSQL at 127.0.0.1:" in err and "does not answer" in err
    assert "Traceback" not in err and "secret" not in err  # the password stays out of the message
