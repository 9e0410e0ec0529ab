"""The programme's mediation figures: every figure against a hand count, the CSV and XLSX equal to the page, the
agents' scope, and a query budget that does not grow with the number of sessions."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.csv import unescape_cell
from mediation import activities, privacy, registrations, sessions
from mediation.figures import GroupBy, mediation_figures, months_between
from mediation.models import Outcome, RegistrationStatus, SessionStatus, Theme, ThemeKind
from sites.models import Mds
from sites.roles import Role
from tests.factories import AgentFactory, MdsFactory, SiteFactory, agent_with_role
from tests.mediation.factories import (
    AgentTrainingFactory,
    RegistrationFactory,
    WorkshopFactory,
    WorkshopSessionFactory,
    theme,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SEPTEMBER, OCTOBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
PERIOD = {"first_month": "2026-09", "last_month": "2026-10"}

# Every count of Figures, the order of mediation.figures.columns() without the rates and hours.
COUNTS = ("workshops_held", "seats_offered", "seats_filled", "present", "walk_ins", "absent", "attendance_not_taken",
          "waitlisted", "accompaniments", "outcome_completed", "outcome_partly", "outcome_redirected",
          "outcome_appointment", "outcome_none")  # fmt: skip


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def _session(workshop, site, day, *, capacity, status=SessionStatus.HELD):
    held_at = _at(day, 12) if status == SessionStatus.HELD else None
    return WorkshopSessionFactory(workshop=workshop, site=site, starts_at=_at(day), capacity=capacity, status=status,
                                  held_at=held_at)  # fmt: skip


def _registrations(session, *specs):
    for spec in specs:
        RegistrationFactory(session=session, **spec)


PRESENT = {"attendance": "present"}
ABSENT = {"attendance": "absent", "absence_reason": "no_news"}
WALK_IN = {"attendance": "present", "walk_in": True}
OFFER_TAKEN = {"attendance": "present", "offer_expires_at": _at(dt.date(2026, 9, 10))}


@pytest.fixture
def programme():
    """MDS A (two sites) and MDS B, over September and October 2026 — see the hand counts in each test."""
    mds_a, mds_b = MdsFactory(name="Arles"), MdsFactory(name="Berre")
    a1, a2 = SiteFactory(mds=mds_a, name="A1"), SiteFactory(mds=mds_a, name="A2", number=2)
    b1 = SiteFactory(mds=mds_b, name="B1")
    email, security = theme("email"), theme("securite_numerique")
    w1 = WorkshopFactory(mds=mds_a, themes=[email])
    w2 = WorkshopFactory(mds=mds_a, themes=[email, security])
    # S1, A1, September, held, 10 seats: 5 registered present (one came from the waiting list), 1 absent, 1 not
    # taken, 1 walk-in; 3 ever queued (the one who took an offer, a cancelled one still numbered, an expired offer).
    s1 = _session(w1, a1, dt.date(2026, 9, 15), capacity=10)
    _registrations(
        s1, PRESENT, PRESENT, PRESENT, PRESENT, OFFER_TAKEN, ABSENT, {}, WALK_IN,
        {"status": RegistrationStatus.CANCELLED, "position": 1},
        {"status": RegistrationStatus.EXPIRED, "position": 2, "offer_expires_at": _at(dt.date(2026, 9, 12))},
        {"status": RegistrationStatus.CANCELLED},
    )  # fmt: skip
    # S2, A2, October, held, 8 seats, two themes: 3 present, 1 absent, 1 walk-in.
    s2 = _session(w2, a2, dt.date(2026, 10, 3), capacity=8)
    _registrations(s2, PRESENT, PRESENT, PRESENT, ABSENT, WALK_IN)
    # S3, A1, October, cancelled: 2 still waiting (demand all the same), 1 confirmed (not a seat filled: not held).
    s3 = _session(w1, a1, dt.date(2026, 10, 20), capacity=10, status=SessionStatus.CANCELLED)
    _registrations(s3, {}, {"status": RegistrationStatus.WAITING, "position": 1},
                   {"status": RegistrationStatus.WAITING, "position": 2})  # fmt: skip
    # Outside the period (August): nothing of it counts.
    s4 = _session(w1, a1, dt.date(2026, 8, 28), capacity=10)
    _registrations(s4, PRESENT, {"status": RegistrationStatus.WAITING, "position": 1})
    mediator = AgentFactory()
    for site, themes, day, outcome in (
        (a1, [email], dt.date(2026, 9, 2), Outcome.COMPLETED),
        (a1, [email, security], dt.date(2026, 9, 30), Outcome.REDIRECTED),
        (a2, [security], dt.date(2026, 10, 1), ""),
        (a2, [security], dt.date(2026, 10, 31), Outcome.APPOINTMENT),
        (a2, [security], dt.date(2026, 11, 1), Outcome.COMPLETED),  # November: outside
    ):
        activities.accompaniment_log(
            actor=mediator, site=site, themes=themes, duration_minutes=20, date=day, outcome=outcome,
            redirected_to="CAF" if outcome == Outcome.REDIRECTED else "",
        )  # fmt: skip
    # Trainings: 90 min × 2 at A1 (3 h), 60 min × 3 online for A (3 h), 120 min × 1 online of no MDS (2 h).
    AgentTrainingFactory(mds=mds_a, site=a1, online=False, date=dt.date(2026, 9, 8), duration_minutes=90).attendees.set(
        [AgentFactory(), AgentFactory()]
    )
    AgentTrainingFactory(mds=mds_a, date=dt.date(2026, 10, 8), duration_minutes=60).attendees.set(
        [AgentFactory(), AgentFactory(), AgentFactory()]
    )
    AgentTrainingFactory(mds=None, date=dt.date(2026, 10, 9), duration_minutes=120).attendees.set([AgentFactory()])
    # MDS B: one held session (5 seats, 2 present), one accompaniment, a training of 30 min × 2 (1 h).
    wb = WorkshopFactory(mds=mds_b, themes=[email])
    _registrations(_session(wb, b1, dt.date(2026, 9, 20), capacity=5), PRESENT, PRESENT)
    activities.accompaniment_log(actor=mediator, site=b1, themes=[email], duration_minutes=20,
                                 date=dt.date(2026, 9, 21), outcome=Outcome.COMPLETED)  # fmt: skip
    AgentTrainingFactory(mds=mds_b, site=b1, online=False, date=dt.date(2026, 9, 9), duration_minutes=30).attendees.set(
        [AgentFactory(), AgentFactory()]
    )
    return {"a": mds_a, "b": mds_b, "a1": a1, "a2": a2, "b1": b1, "email": email, "security": security}


def _counts(figures) -> dict:
    return {name: getattr(figures, name) for name in COUNTS}


def _expected(**values) -> dict:
    return {name: values.get(name, 0) for name in COUNTS}


S1 = _expected(workshops_held=1, seats_offered=10, seats_filled=8, present=5, walk_ins=1, absent=1,
               attendance_not_taken=1, waitlisted=3)  # fmt: skip
S2 = _expected(workshops_held=1, seats_offered=8, seats_filled=5, present=3, walk_ins=1, absent=1)
A_TOTAL = _expected(workshops_held=2, seats_offered=18, seats_filled=13, present=8, walk_ins=2, absent=2,
                    attendance_not_taken=1, waitlisted=5, accompaniments=4, outcome_completed=1, outcome_redirected=1,
                    outcome_appointment=1, outcome_none=1)  # fmt: skip


def _figures_of_a(programme, group_by):
    return mediation_figures(mds_scope=Mds.objects.filter(pk=programme["a"].pk), first_month=SEPTEMBER,
                             last_month=OCTOBER, group_by=group_by)  # fmt: skip


def test_figures_per_site_are_the_hand_counts(programme):
    figures = _figures_of_a(programme, GroupBy.SITE)
    rows = {row.label: row.figures for row in figures.rows}
    assert list(rows) == ["Arles — A1", "Arles — A2", "Pas de site (en ligne)"]
    a1 = rows["Arles — A1"]
    # A1: S1, and S3's two people still waiting; two accompaniments; 90 min × 2 of training.
    assert _counts(a1) == {**S1, "waitlisted": 5, "accompaniments": 2, "outcome_completed": 1, "outcome_redirected": 1}
    assert (a1.participants, a1.fill_rate, a1.no_show_rate, a1.training_hours) == (
        6, Decimal("80.0"), Decimal("16.7"), Decimal("3.00"))  # fmt: skip
    a2 = rows["Arles — A2"]
    assert _counts(a2) == {**S2, "accompaniments": 2, "outcome_appointment": 1, "outcome_none": 1}
    assert (a2.participants, a2.fill_rate, a2.no_show_rate, a2.training_hours) == (
        4, Decimal("62.5"), Decimal("25.0"), Decimal("0.00"))  # fmt: skip
    online = rows["Pas de site (en ligne)"]
    assert _counts(online) == _expected() and online.training_hours == Decimal("3.00")  # A's, not the no-MDS one
    total = figures.total
    assert _counts(total) == A_TOTAL
    assert (total.participants, total.fill_rate, total.no_show_rate, total.training_hours) == (
        10, Decimal("72.2"), Decimal("20.0"), Decimal("6.00"))  # fmt: skip


def test_figures_per_month_cover_every_month_and_add_up_to_the_total(programme):
    figures = _figures_of_a(programme, GroupBy.MONTH)
    assert [row.label for row in figures.rows] == ["septembre 2026", "octobre 2026"]
    september, october = (row.figures for row in figures.rows)
    assert _counts(september) == {**S1, "accompaniments": 2, "outcome_completed": 1, "outcome_redirected": 1}
    assert _counts(october) == {**S2, "waitlisted": 2, "accompaniments": 2, "outcome_appointment": 1,
                                "outcome_none": 1}  # fmt: skip
    assert (september.training_hours, october.training_hours) == (Decimal("3.00"), Decimal("3.00"))
    assert _counts(figures.total) == A_TOTAL
    for name in COUNTS:
        assert getattr(september, name) + getattr(october, name) == getattr(figures.total, name), name


def test_a_session_or_accompaniment_with_two_themes_counts_in_both_theme_rows(programme):
    figures = _figures_of_a(programme, GroupBy.THEME)
    rows = {row.key: row.figures for row in figures.rows}
    assert list(rows) == [programme["email"].pk, programme["security"].pk]  # the taxonomy's order
    email, security = rows[programme["email"].pk], rows[programme["security"].pk]
    # Email: S1, S2 (two themes), S3's queue; accompaniments 1 and 2.
    assert _counts(email) == {**A_TOTAL, "accompaniments": 2, "outcome_appointment": 0, "outcome_none": 0}
    # Security: S2 only; accompaniments 2, 3 and 4.
    assert _counts(security) == {**S2, "accompaniments": 3, "outcome_redirected": 1, "outcome_appointment": 1,
                                 "outcome_none": 1}  # fmt: skip
    assert email.training_hours is None and security.training_hours is None  # a training has no theme
    # The total counts each once: not the sum of the theme rows.
    assert figures.total.accompaniments == 4 < email.accompaniments + security.accompaniments
    assert figures.total.training_hours == Decimal("6.00")


def test_programme_staff_see_every_mds_and_the_trainings_of_none(programme, signed_in):
    client = signed_in(agent_with_role(Role.PROGRAMME))
    response = client.get(reverse("mediation_figures:figures"), PERIOD)
    figures = response.context["figures"]
    labels = [row.label for row in figures.rows]
    assert {"Arles — A1", "Arles — A2", "Berre — B1"} <= set(labels)
    assert figures.total.workshops_held == 3 and figures.total.accompaniments == 5
    assert figures.total.training_hours == Decimal("9.00")  # A's 6 h, B's 1 h, and the 2 h online of no MDS
    # One MDS chosen: only its figures, and no training of no MDS.
    figures = client.get(reverse("mediation_figures:figures"), {**PERIOD, "mds": programme["b"].pk}).context["figures"]
    assert [row.label for row in figures.rows] == ["Berre — B1"]
    assert (figures.total.workshops_held, figures.total.participants, figures.total.training_hours) == (
        1, 2, Decimal("1.00"))  # fmt: skip


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.MDS_MANAGER])
def test_an_agent_of_mds_a_sees_none_of_mds_b(programme, signed_in, role):
    """Fails if the view computed the figures over every MDS instead of the agent's."""
    client = signed_in(agent_with_role(role, programme["a"]))
    response = client.get(reverse("mediation_figures:figures"), PERIOD)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert "Berre" not in response.content.decode()
    assert _counts(figures.total) == A_TOTAL and figures.total.training_hours == Decimal("6.00")
    for params in ({"mds": programme["b"].pk}, {"site": programme["b1"].pk}):  # asking for B is refused
        response = client.get(reverse("mediation_figures:figures"), {**PERIOD, **params})
        assert response.context["figures"] is None and "Berre" not in response.content.decode()
        assert client.get(reverse("mediation_figures:export"), {**PERIOD, **params}).status_code == 400
    xlsx = client.get(reverse("mediation_figures:export"), {**PERIOD, "format": "xlsx"})
    assert "Berre" not in str(_xlsx_rows(xlsx))


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SOCIAL_WORKER])
def test_roles_without_the_activity_records_do_not_open_the_figures(programme, signed_in, role):
    client = signed_in(agent_with_role(role, programme["a"]))
    assert client.get(reverse("mediation_figures:figures")).status_code == 403
    assert client.get(reverse("mediation_figures:export"), {"format": "xlsx"}).status_code == 403


def _page_table(response) -> list[list]:
    figures = response.context["figures"]
    return [
        [*figures.label_headers, *(column.header for column in figures.columns)],
        *([*row.labels, *(value for _column, value in cells)] for row, cells in figures.display_rows),
        ["Total", *[""] * (len(figures.label_headers) - 1), *(value for _column, value in figures.display_total)],
    ]


def _csv_rows(response) -> list[list[str]]:
    text = response.getvalue().decode("utf-8-sig")
    return [[unescape_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text), delimiter=";")]


def _xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("group_by", GroupBy.values)
def test_the_csv_and_xlsx_exports_hold_the_page_figures(programme, signed_in, group_by):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, programme["a"]))
    params = {**PERIOD, "group_by": group_by}
    page = _page_table(client.get(reverse("mediation_figures:figures"), params))
    assert len(page) == {"site": 5, "month": 4, "theme": 4}[group_by]  # header, rows, total
    if group_by == "site":
        assert page[1][:2] == ["Arles", "A1"] and page[0][:2] == ["MDS", "Site"]
    csv_response = client.get(reverse("mediation_figures:export"), params)
    assert csv_response["Content-Type"].startswith("text/csv")
    xlsx_response = client.get(reverse("mediation_figures:export"), {**params, "format": "xlsx"})
    assert xlsx_response["Content-Disposition"].endswith('.xlsx"')
    as_text = [["" if value is None else str(value) for value in row] for row in page]
    assert _csv_rows(csv_response) == as_text
    xlsx = _xlsx_rows(xlsx_response)
    # Numbers are numbers in the spreadsheet (a Decimal comes back as a float or an int), text stays text.
    assert [[float(v) if isinstance(v, Decimal) else (None if v == "" else v) for v in row] for row in page] == xlsx
    assert all(isinstance(value, int | float) for value in xlsx[-1][1:] if value is not None)


def test_the_page_shows_the_figures_in_french_with_an_accessible_chart(programme, signed_in):
    client = signed_in(agent_with_role(Role.MEDIATOR, programme["a"]))
    html = client.get(reverse("mediation_figures:figures"), PERIOD).content.decode()
    assert "72,2&nbsp;%" in html and "septembre 2026 à octobre 2026" in html
    assert html.count('role="img"') == 3 and '<title id="figures-participants-title">' in html
    assert "cdn" not in html.lower() and '<script src="http' not in html


def test_a_theme_named_like_a_formula_stays_text_in_both_exports(programme, signed_in):
    formula = Theme.objects.create(code="formule", label="=1+1", kind=ThemeKind.LOCAL)
    WorkshopFactory(mds=programme["a"], themes=[formula])
    activities.accompaniment_log(actor=AgentFactory(), site=programme["a1"], themes=[formula], duration_minutes=10,
                                 date=dt.date(2026, 9, 3))  # fmt: skip
    client = signed_in(agent_with_role(Role.MDS_MANAGER, programme["a"]))
    params = {**PERIOD, "group_by": "theme"}
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("mediation_figures:export"), {**params, "format": "xlsx"}).content)
    ).active
    cells = [row[0] for row in sheet.iter_rows(min_col=1, max_col=1)]
    formula_cell = next(cell for cell in cells if cell.value == "=1+1")
    assert formula_cell.data_type == "s"  # a text, never a formula
    assert "\r\n'=1+1;" in client.get(reverse("mediation_figures:export"), params).getvalue().decode()


@pytest.mark.parametrize("group_by", GroupBy.values)
def test_the_number_of_queries_does_not_grow_with_the_sessions(programme, group_by):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _figures_of_a(programme, group_by)
        return len(captured)

    before = queries()
    workshop = WorkshopFactory(mds=programme["a"], themes=[programme["email"], programme["security"]])
    for day in range(1, 21):
        session = _session(workshop, programme["a2"], dt.date(2026, 10, day), capacity=12)
        _registrations(session, PRESENT, ABSENT)
    assert queries() == before <= 9
    assert _figures_of_a(programme, GroupBy.SITE).total.workshops_held == 22


def test_waiting_list_demand_follows_the_write_path_and_outlives_anonymisation():
    """Queued, offered, accepted (its position cleared): still counted as demand, also once the person's details are
    blanked a year later (status, attendance and the offer's time stay for the figures)."""
    site = SiteFactory(mds=MdsFactory(name="Aubagne"))
    session = _session(WorkshopFactory(mds=site.mds), site, dt.date(2026, 9, 15), capacity=1,
                       status=SessionStatus.PLANNED)  # fmt: skip
    before = _at(dt.date(2026, 9, 1))
    first = registrations.registration_create(session=session, first_name="Inès", phone="0612340001", now=before)
    second = registrations.registration_create(session=session, first_name="Yanis", phone="0612340002", now=before)
    assert second.status == RegistrationStatus.WAITING
    registrations.registration_cancel(registration=first, now=before)
    second = registrations.offer_accept(registration=second, now=before)
    assert (second.status, second.position) == (RegistrationStatus.CONFIRMED, None)
    agent = AgentFactory()
    sessions.session_mark_held(session=session, actor=agent, now=_at(dt.date(2026, 9, 15), 12))
    sessions.attendance_set(registration=second, actor=agent, attendance="present")

    def figures():
        return mediation_figures(mds_scope=Mds.objects.filter(pk=site.mds_id), first_month=SEPTEMBER,
                                 last_month=SEPTEMBER).total  # fmt: skip

    # The first had a seat at once (no demand on the list); the second waited, then took the freed seat.
    expected = _expected(workshops_held=1, seats_offered=1, seats_filled=1, present=1, waitlisted=1)
    assert _counts(figures()) == expected and figures().fill_rate == Decimal("100.0")
    privacy.anonymise_expired(now=_at(dt.date(2028, 1, 1)))
    second.refresh_from_db()
    assert second.anonymised_at is not None and second.phone == ""
    assert _counts(figures()) == expected


def test_the_default_period_is_the_last_12_months_and_a_wrong_period_is_refused(signed_in):
    client = signed_in(agent_with_role(Role.MEDIATOR, SiteFactory().mds))
    figures = client.get(reverse("mediation_figures:figures")).context["figures"]
    this_month = timezone.localdate().replace(day=1)
    assert (figures.last_month, len(figures.rows), figures.group_by) == (this_month, 1, "site")
    assert len(months_between(figures.first_month, figures.last_month)) == 12
    # Backwards, longer than 84 months, not a month.
    for first, last in (("2026-10", "2026-09"), ("2019-01", "2026-01"), ("2026-13", "2026-12")):
        period = {"first_month": first, "last_month": last}
        response = client.get(reverse("mediation_figures:figures"), period)
        assert response.context["figures"] is None and response.context["form"].errors
        assert client.get(reverse("mediation_figures:export"), period).status_code == 400
