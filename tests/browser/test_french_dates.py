"""A browser at 390 px reads dates and durations in French: an outage that started on 30 November at 22:00,
Paris time, shows as "30 nov. 22:00" on the board and "30 novembre … 22:00" on the incidents list and the access
point's page, never "Nov" or "30 Nov"; and one page gives the same duration wherever it speaks of that outage
(issue 11, "French, everywhere")."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.browser.test_lists_on_a_phone import _signed_in
from tests.factories import SiteFactory, agent_with_role
from tests.french import english_in
from tests.wifi.factories import AccessPointFactory, IncidentFactory
from wifi.models import ErrorKind, Health

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
ENGLISH_MONTH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")
DURATION = r"\d+ [a-zé]+(?:, \d+ [a-zé]+)?"  # "8 heures, 2 minutes", as timesince says it in French
NAMES = ("Salon-de-Provence — accueil", "Borne salle d'attente")


def _last_30_november_at_22() -> datetime.datetime:
    """The latest 30 November, 22:00 in Paris (21:00 UTC), that is already past."""
    now = timezone.now()
    moment = datetime.datetime(now.year, 11, 30, 22, 0, tzinfo=PARIS)
    return moment if moment < now else moment.replace(year=now.year - 1)


@pytest.fixture
def outage():
    started = _last_30_november_at_22()
    site = SiteFactory(name=NAMES[0])
    ap = AccessPointFactory(site=site, label=NAMES[1], health=Health.DOWN, health_since=started, last_seen_at=started,
                            last_polled_at=timezone.now())  # fmt: skip
    IncidentFactory(access_point=ap, started_at=started, cause=ErrorKind.TIMEOUT)
    return ap


def _text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def _no_english(page, where: str) -> None:
    assert not ENGLISH_MONTH.search(_text(page)), where
    findings = english_in(page.content(), where=where, allowed=NAMES)
    assert findings == [], "\n".join(map(str, findings))


def test_an_outage_of_30_november_at_22_00_reads_in_french_on_a_phone(phone, live_server, settings, outage):
    ops = _signed_in(phone, live_server, settings, agent_with_role(Role.OPS))
    year = _last_30_november_at_22().year

    ops.goto(live_server.url + reverse("wifi:board"))
    assert "30 nov. 22:00" in _text(ops), "the board's short date"
    _no_english(ops, "board")

    ops.goto(live_server.url + reverse("wifi:incidents"))
    row = ops.get_by_role("row").filter(has_text=NAMES[1]).first
    assert f"30 novembre {year} 22:00" in " ".join(row.inner_text().split())
    _no_english(ops, "incidents")

    ops.goto(live_server.url + reverse("wifi:ap_detail", kwargs={"pk": outage.pk}))
    text = _text(ops)
    assert f"30 novembre {year} 22:00" in text, "the incident history"
    _no_english(ops, "access point")
    # The marker, the health line and "last seen" speak of the same outage from the page's one now: one duration.
    marker = re.search(rf"Incident en cours depuis ({DURATION}) \(", text).group(1)
    assert f"Injoignable — depuis {marker} " in text and f"Vue pour la dernière fois il y a {marker} " in text

    ops.goto(live_server.url + reverse("wifi:board_site", kwargs={"pk": outage.site_id}))
    text = _text(ops)
    since = re.search(rf"incident en cours depuis ({DURATION})", text)
    assert since and f"vue il y a {since.group(1)} " in text, text
    _no_english(ops, "site board")
