"""Ops silence an access point's alerts and declare maintenance windows; nobody else can."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, MaintenanceWindowFactory
from wifi.forms_board import MaintenanceWindowForm, SnoozeForm
from wifi.models import MaintenanceWindow

pytestmark = pytest.mark.django_db


def _snooze(client, ap, **data):
    return client.post(reverse("wifi:ap_snooze", kwargs={"pk": ap.pk}), data)


@pytest.fixture
def ops(signed_in):
    return signed_in(agent_with_role(Role.OPS))


@pytest.mark.parametrize(("choice", "hours"), [("1h", 1), ("4h", 4)])
def test_ops_silence_an_ap_for_a_while(choice, hours, ops):
    ap = AccessPointFactory()
    before = timezone.now()
    response = _snooze(ops, ap, choice=choice)
    assert response.status_code == 302 and response["Location"] == ap.get_absolute_url()
    ap.refresh_from_db()
    expected = before + datetime.timedelta(hours=hours)
    assert expected <= ap.alerts_snoozed_until <= expected + datetime.timedelta(seconds=5)


def test_until_tomorrow_means_8_in_the_morning_in_paris_even_across_a_clock_change():
    # 23:30 in Paris on the Saturday before summer time: tomorrow 8:00 is 06:00 UTC, not 07:00.
    form = SnoozeForm({"choice": "tomorrow"}, now=datetime.datetime(2026, 3, 28, 22, 30, tzinfo=datetime.UTC))
    assert form.is_valid()
    assert form.snoozed_until() == datetime.datetime(2026, 3, 29, 6, 0, tzinfo=datetime.UTC)


def test_ops_silence_until_a_date_then_wake_the_ap_up(ops):
    ap = AccessPointFactory()
    until = timezone.localtime() + datetime.timedelta(days=3)
    _snooze(ops, ap, choice="until", until=until.strftime("%Y-%m-%dT%H:%M"))
    ap.refresh_from_db()
    assert ap.alerts_snoozed_until == until.replace(second=0, microsecond=0)
    _snooze(ops, ap, choice="wake")
    ap.refresh_from_db()
    assert ap.alerts_snoozed_until is None


@pytest.mark.parametrize(
    "until", ["", "2020-01-01T10:00", (timezone.localtime() + datetime.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M")]
)
def test_a_missing_past_or_too_far_date_is_refused(until, ops):
    ap = AccessPointFactory()
    response = _snooze(ops, ap, choice="until", until=until)
    assert response.status_code == 200
    assert response.context["form"].errors["until"]
    ap.refresh_from_db()
    assert ap.alerts_snoozed_until is None


def test_the_snooze_page_works_without_javascript(ops):
    ap = AccessPointFactory()
    response = ops.get(reverse("wifi:ap_snooze", kwargs={"pk": ap.pk}))
    assert response.status_code == 200
    assert 'name="choice"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION])
def test_agents_of_the_mds_cannot_silence_alerts(role, signed_in):
    ap = AccessPointFactory()
    client = signed_in(agent_with_role(role, ap.site.mds))
    assert _snooze(client, ap, choice="4h").status_code == 403
    assert client.get(reverse("wifi:ap_snooze", kwargs={"pk": ap.pk})).status_code == 403
    ap.refresh_from_db()
    assert ap.alerts_snoozed_until is None


# --- Maintenance windows --------------------------------------------------------------------------


def _window(site, ap=None, start=None, hours=2, reason="Coupure électrique"):
    start = start or timezone.localtime().replace(second=0, microsecond=0) + datetime.timedelta(days=1)
    return {
        "site": site.pk,
        "access_point": ap.pk if ap else "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
        "reason": reason,
    }


def test_ops_declare_maintenance_of_a_whole_site(ops):
    site = SiteFactory()
    response = ops.post(reverse("wifi:maintenance_create"), _window(site))
    assert response.status_code == 302 and response["Location"] == reverse("wifi:maintenance")
    window = MaintenanceWindow.objects.get()
    assert (window.site, window.access_point, window.reason) == (site, None, "Coupure électrique")
    assert window.ends_at - window.starts_at == datetime.timedelta(hours=2)
    assert window.created_by is not None and window.created_by.memberships.get().role == Role.OPS


def test_ops_declare_maintenance_of_one_ap(ops):
    ap = AccessPointFactory()
    assert ops.post(reverse("wifi:maintenance_create"), _window(ap.site, ap)).status_code == 302
    assert MaintenanceWindow.objects.get().access_point == ap


def test_the_end_must_come_after_the_start(ops):
    site = SiteFactory()
    response = ops.post(reverse("wifi:maintenance_create"), _window(site, hours=-1))
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"]
    assert not MaintenanceWindow.objects.exists()


def test_an_ap_of_another_site_is_refused(ops):
    site = SiteFactory()
    elsewhere = AccessPointFactory()
    response = ops.post(reverse("wifi:maintenance_create"), _window(site, elsewhere))
    assert response.status_code == 200
    assert response.context["form"].errors["access_point"]
    assert not MaintenanceWindow.objects.exists()


def test_only_visible_sites_and_aps_are_offered():
    mine, theirs = SiteFactory(mds=MdsFactory()), SiteFactory(mds=MdsFactory())
    ap, other_ap = AccessPointFactory(site=mine), AccessPointFactory(site=theirs)
    form = MaintenanceWindowForm(agent=agent_with_role(Role.MDS_MANAGER, mine.mds))
    assert list(form.fields["site"].queryset) == [mine]
    assert list(form.fields["access_point"].queryset) == [ap]
    assert other_ap not in form.fields["access_point"].queryset


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.MEDIATOR])
def test_agents_of_an_mds_cannot_declare_maintenance(role, signed_in):
    site = SiteFactory()
    client = signed_in(agent_with_role(role, site.mds))
    assert client.get(reverse("wifi:maintenance_create")).status_code == 403
    assert client.post(reverse("wifi:maintenance_create"), _window(site)).status_code == 403
    assert not MaintenanceWindow.objects.exists()


def test_the_maintenance_page_lists_current_upcoming_and_past_windows(signed_in):
    site = SiteFactory()
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    current = MaintenanceWindowFactory(site=site, starts_at=now - hour, ends_at=now + hour, reason="En cours")
    upcoming = MaintenanceWindowFactory(site=site, starts_at=now + 5 * hour, ends_at=now + 6 * hour, reason="Bientôt")
    past = MaintenanceWindowFactory(site=site, starts_at=now - 6 * hour, ends_at=now - 5 * hour, reason="Passé")
    response = signed_in(agent_with_role(Role.RECEPTION, site.mds)).get(reverse("wifi:maintenance"))
    windows = response.context["windows"]
    assert (windows.current, windows.upcoming, windows.past) == ([current], [upcoming], [past])
    assert not response.context["can_add"]


def test_the_form_is_prefilled_from_the_ap_page(ops):
    ap = AccessPointFactory()
    response = ops.get(reverse("wifi:maintenance_create"), {"site": ap.site_id, "access_point": ap.pk})
    form = response.context["form"]
    assert (form.initial["site"], form.initial["access_point"]) == (str(ap.site_id), str(ap.pk))
