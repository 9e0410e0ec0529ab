"""The connection log is kept one year (CPCE L34-1 II bis) and the device-hash keys only past their month."""

import datetime

import pytest
from django.utils import timezone

from captive_portal.models import ConnectionRecord, DeviceHashKey
from captive_portal.services import device_hash
from sites import retention
from sites.tasks import purge_expired_personal_data
from tests.captive_portal.scoping_pages_log import connection_record
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_a_connection_older_than_a_year_is_purged_and_a_younger_one_kept():
    site = SiteFactory()
    now = timezone.now()
    old = connection_record(site, started_at=now - datetime.timedelta(days=366), mac="02:00:00:00:00:01")
    kept = connection_record(site, started_at=now - datetime.timedelta(days=364), mac="02:00:00:00:00:02")
    purge_expired_personal_data()  # the daily beat task, run in-process
    assert not ConnectionRecord.objects.filter(pk=old.pk).exists()
    assert list(ConnectionRecord.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_large_backlog_goes_in_bounded_batches():
    site = SiteFactory()
    started = timezone.now() - datetime.timedelta(days=400)
    for n in range(5):
        connection_record(site, started_at=started, ip=f"10.0.0.{n}")
    assert retention.purge_expired(batch_size=2)["captive_portal.ConnectionRecord"] == 5
    assert not ConnectionRecord.objects.exists()


def test_the_device_hash_keys_of_past_months_go_so_old_hashes_cannot_be_linked_again():
    now = timezone.now()
    device_hash("02:00:00:00:00:01", at=now)  # creates this month's key
    for months_ago in (1, 3, 13):
        DeviceHashKey.objects.create(month=(now - datetime.timedelta(days=31 * months_ago)).date().replace(day=1),
                                     key=f"old-{months_ago}")  # fmt: skip
    retention.purge_expired(now=now)
    remaining = set(DeviceHashKey.objects.values_list("key", flat=True))
    assert {"old-3", "old-13"}.isdisjoint(remaining)
    assert "old-1" in remaining  # last month's key stays a while: its records are still being rolled up
    assert DeviceHashKey.objects.filter(month=timezone.localdate(now).replace(day=1)).exists()
