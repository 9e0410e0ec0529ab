"""The connection log is indexed for what reads it at one year (benchmarks/README.md has the figures)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from captive_portal.models import ConnectionRecord
from sites import retention
from tests.captive_portal.scoping_pages_log import connection_record
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

TABLE = ConnectionRecord._meta.db_table


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {name: info["columns"] for name, info in found.items() if info["index"] and not info["primary_key"]}


def test_the_log_has_a_start_time_index_and_none_on_the_device_hash_or_the_site_alone():
    """Start time leads an index of its own; the device hash (never searched) and the site alone (covered by
    (site, start, end), which a site's search reads whole) have none."""
    columns = list(_indexes().values())
    assert ["started_at", "ended_at"] in columns
    assert not [c for c in columns if "device_hash" in c]
    assert ["site_id"] not in columns
    assert ["site_id", "started_at", "ended_at"] in columns
    assert _indexes()["connection_long_started_ended"] == ["started_at", "ended_at"]  # partial: over a day


def test_a_purge_batch_asks_for_expired_rows_without_sorting_them():
    """Each batch of the retention purge selects the expired rows with no ORDER BY (no sort of every expired
    row to pick a thousand)."""
    site = SiteFactory()
    for n in range(3):
        connection_record(site, started_at=timezone.now() - datetime.timedelta(days=400), ip=f"10.0.0.{n}")
    with CaptureQueriesContext(connection) as queries:
        assert retention.purge_expired(batch_size=2)["captive_portal.ConnectionRecord"] == 3
    batches = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and TABLE in q["sql"]]
    assert batches and not [sql for sql in batches if "ORDER BY" in sql]
    assert not ConnectionRecord.objects.exists()
