"""The deployment phases: the dates programme staff keep (funding.phases), the per-site progress table, the timeline."""

import datetime

import pytest
from django.urls import reverse

from funding.models import DeploymentPhase, SitePhase
from funding.phases import PhaseError, State, deployment_progress, site_phase_dates_set, state_of
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db
PAGE = reverse("funding_dashboard:phases")
EDIT = reverse("funding_dashboard:phases_edit")
SITES = reverse("funding_dashboard:site_phases_edit")


def _phases_data(**changes) -> dict:
    data = {}
    for number in range(1, 6):
        for field in ("planned_start", "planned_end", "actual_start", "actual_end"):
            data[f"phase-{number}-{field}"] = ""
    return data | changes


def test_programme_staff_set_the_dates_of_the_phases(operation, signed_in):
    programme = agent_with_role(Role.PROGRAMME)
    response = signed_in(programme).post(EDIT, _phases_data(**{
        "phase-1-planned_start": "2019-10-01", "phase-1-planned_end": "2020-03-31",
        "phase-1-actual_start": "2019-10-15", "phase-1-actual_end": "2020-04-30",
    }))  # fmt: skip
    assert response.status_code == 302
    phase = DeploymentPhase.objects.get(operation=operation, number=1)
    assert (phase.planned_start, phase.planned_end) == (datetime.date(2019, 10, 1), datetime.date(2020, 3, 31))
    assert (phase.actual_start, phase.actual_end) == (datetime.date(2019, 10, 15), datetime.date(2020, 4, 30))
    from auditlog.models import LogEntry

    entry = LogEntry.objects.get_for_object(phase).latest("timestamp")
    assert entry.actor == programme
    html = signed_in(programme).get(PAGE).content.decode()
    row = html[html.index('data-phase="1"') : html.index("</tr>", html.index('data-phase="1"'))]
    assert "Terminée en retard" in row and "funding-late" in html[html.index('data-phase="1"') - 40 :][:80]


def test_a_phase_ending_before_it_starts_is_refused_with_a_clear_message(operation, signed_in):
    response = signed_in(agent_with_role(Role.PROGRAMME)).post(EDIT, _phases_data(**{
        "phase-3-planned_start": "2021-05-01", "phase-3-planned_end": "2021-04-01"}))  # fmt: skip
    assert response.status_code == 200
    assert "Une phase finit le jour de son début ou après." in response.content.decode()
    assert DeploymentPhase.objects.get(operation=operation, number=3).planned_start is None


def test_finance_reads_the_phases_but_does_not_change_them(operation, signed_in):
    client = signed_in(agent_with_role(Role.FINANCE))
    assert client.get(PAGE).status_code == 200
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, _phases_data(**{"phase-1-planned_start": "2019-10-01"})).status_code == 403
    assert client.post(SITES + "?phase=2", {}).status_code == 403
    assert DeploymentPhase.objects.get(operation=operation, number=1).planned_start is None


def test_per_site_dates_for_every_site_and_the_progress_table(operation, signed_in):
    mds = MdsFactory(name="Arles", number=15)
    done, late, untouched = (SiteFactory(mds=mds, number=n, name=name) for n, name in
                             ((1, "Arles centre"), (2, "Arles Trinquetaille"), (3, "Arles Barriol")))  # fmt: skip
    client = signed_in(agent_with_role(Role.PROGRAMME))
    data = {f"site-{s.pk}-{f}": "" for s in (done, late, untouched) for f in
            ("planned_start", "planned_end", "actual_start", "actual_end", "note")}  # fmt: skip
    data |= {f"site-{done.pk}-planned_start": "2021-09-01", f"site-{done.pk}-planned_end": "2021-10-31",
             f"site-{done.pk}-actual_start": "2021-09-06", f"site-{done.pk}-actual_end": "2021-10-15",
             f"site-{late.pk}-planned_start": "2021-09-01", f"site-{late.pk}-planned_end": "2021-10-31",
             f"site-{late.pk}-note": "Câblage à reprendre"}  # fmt: skip
    assert client.post(SITES + "?phase=5", data).status_code == 302
    phase = DeploymentPhase.objects.get(operation=operation, number=5)
    assert set(SitePhase.objects.filter(phase=phase).values_list("site__name", flat=True)) == {
        "Arles centre", "Arles Trinquetaille"}  # fmt: skip
    html = client.get(PAGE).content.decode()
    table = html[html.index('id="site-progress"') :]
    done_row = table[table.index(f'data-site="{done.slug}"') :].split("</tr>", 1)[0]
    late_row = table[table.index(f'data-site="{late.slug}"') :].split("</tr>", 1)[0]
    untouched_row = table[table.index(f'data-site="{untouched.slug}"') :].split("</tr>", 1)[0]
    assert "Terminée" in done_row and "15/10/2021" in done_row
    assert "En retard" in late_row and "funding-cell--late" in late_row and "Câblage à reprendre" in late_row
    assert "Non planifiée" in untouched_row
    assert "1 sites terminés sur 3" in html or "1 site" in html


def test_the_per_site_form_lists_every_site(operation, signed_in):
    for n in range(1, 30):
        SiteFactory(mds=MdsFactory(number=n, name=f"MDS {n}"), number=1)
    html = signed_in(agent_with_role(Role.PROGRAMME)).get(SITES + "?phase=2").content.decode()
    assert html.count("<fieldset") == 29
    assert signed_in(agent_with_role(Role.PROGRAMME)).get(SITES + "?phase=3").status_code == 404  # whole operation


def test_a_phase_followed_for_the_whole_operation_has_no_per_site_dates(operation):
    phase = DeploymentPhase.objects.get(operation=operation, number=3)
    with pytest.raises(PhaseError):
        site_phase_dates_set(phase=phase, site=SiteFactory(), planned_start=datetime.date(2021, 1, 1),
                             planned_end=None, actual_start=None, actual_end=None, actor=None)  # fmt: skip
    assert not SitePhase.objects.exists()


def test_the_state_of_a_phase_is_read_from_its_dates_and_today():
    today = datetime.date(2021, 6, 1)
    phase = DeploymentPhase(planned_start=datetime.date(2021, 1, 1), planned_end=datetime.date(2021, 5, 31))
    assert state_of(phase, today) == State.LATE
    phase.actual_start = datetime.date(2021, 2, 1)
    assert state_of(phase, today) == State.LATE
    phase.planned_end = datetime.date(2021, 6, 30)
    assert state_of(phase, today) == State.IN_PROGRESS
    phase.actual_end = datetime.date(2021, 6, 15)
    assert state_of(phase, today) == State.DONE
    phase.planned_end = datetime.date(2021, 6, 10)
    assert state_of(phase, today) == State.DONE_LATE
    assert state_of(None, today) == State.NOT_PLANNED
    assert state_of(DeploymentPhase(planned_start=datetime.date(2022, 1, 1)), today) == State.PLANNED


def test_the_timeline_is_a_server_drawn_gantt_with_a_today_line(operation, signed_in):
    DeploymentPhase.objects.filter(operation=operation, number=1).update(
        planned_start=datetime.date(2019, 10, 1), planned_end=datetime.date(2020, 3, 31),
        actual_start=datetime.date(2019, 10, 15))  # fmt: skip
    html = signed_in(agent_with_role(Role.PROGRAMME)).get(PAGE).content.decode()
    start = html.index('<svg class="funding-gantt"')
    svg = html[start : html.index("</svg>", start)]
    assert 'role="img"' in svg and 'aria-labelledby="funding-phases-title funding-phases-desc"' in svg
    assert '<title id="funding-phases-title">Calendrier des phases de déploiement</title>' in svg
    assert "1. Étude générale\u00a0: prévu du 1 octobre 2019 au 31 mars 2020" in svg
    assert svg.count('class="funding-gantt__planned"') == 2  # the legend's and phase 1's
    assert svg.count('class="funding-gantt__actual"') == 2
    assert 'class="funding-gantt__today"' in svg and "Aujourd’hui (" in svg


def test_the_phases_page_query_count_is_pinned(operation, signed_in, django_assert_num_queries):
    for n in range(1, 6):
        SiteFactory(mds=MdsFactory(number=n), number=1)
    client = signed_in(agent_with_role(Role.PROGRAMME))
    client.get(PAGE)
    with django_assert_num_queries(12):
        assert client.get(PAGE).status_code == 200
    for n in range(6, 12):
        SiteFactory(mds=MdsFactory(number=n), number=1)
    with django_assert_num_queries(12):
        assert client.get(PAGE).status_code == 200
    progress = deployment_progress(operation)
    assert progress.site_count == 11 and [p.number for p in progress.site_phases] == [2, 5]


def test_a_phase_done_needs_its_actual_start(operation, signed_in):
    response = signed_in(agent_with_role(Role.PROGRAMME)).post(
        EDIT, _phases_data(**{"phase-4-actual_end": "2022-01-31"})
    )
    assert response.status_code == 200
    assert "Indiquez le début réel d’une phase terminée." in response.content.decode()
    assert DeploymentPhase.objects.get(operation=operation, number=4).actual_end is None


def test_per_site_dates_are_in_the_audit_trail_with_who_entered_them(operation):
    from auditlog.models import LogEntry

    programme = agent_with_role(Role.PROGRAMME)
    row = site_phase_dates_set(
        phase=DeploymentPhase.objects.get(operation=operation, number=2), site=SiteFactory(),
        planned_start=datetime.date(2021, 1, 4), planned_end=None, actual_start=None, actual_end=None,
        actor=programme,
    )  # fmt: skip
    assert LogEntry.objects.get_for_object(row).get().actor == programme
