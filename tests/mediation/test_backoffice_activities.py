"""One-to-one help in the back-office: the quick log, one's own corrections, the MDS's list and its exports,
beneficiaries and their merge, mediators' activity and agents' training hours."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation.activities import accompaniment_log, accompaniment_update, frequent_themes
from mediation.beneficiaries import beneficiary_merge
from mediation.models import Accompaniment, Activity, ActivityKind, AgeBand, Beneficiary, Mediator, Outcome, Theme
from mediation.team import mediator_save, training_save
from sites.models import Membership
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.mediation.factories import (
    AgentTrainingFactory,
    BeneficiaryFactory,
    MediatorFactory,
    WorkshopFactory,
    WorkshopSessionFactory,
    theme,
)

pytestmark = pytest.mark.django_db

LOG = reverse("mediation_activities:log")


@pytest.fixture
def site():
    return SiteFactory(name="Marseille Belle de Mai")


@pytest.fixture
def mediator(site):
    return agent_with_role(Role.MEDIATOR, site.mds, first_name="Inès", last_name="Médiatrice")


def _minimal(site, **extra) -> dict:
    """What the shortest path sends: the defaults as the page fills them, a duration, a theme, an age, an outcome."""
    return {"date": timezone.localdate().isoformat(), "site": site.pk, "duration_minutes": "45",
            "themes": [theme("email").pk], "age_band": AgeBand.FROM_60_TO_69, "place_type": "mds",
            "social_status": "unknown", "first_time": "", "outcome": Outcome.COMPLETED} | extra  # fmt: skip


def test_a_mediator_logs_an_accompaniment_by_the_shortest_path(signed_in, mediator, site):
    """The page proposes the site; the saved accompaniment names nobody and counts as the mediator's activity."""
    client = signed_in(mediator)
    page = client.get(LOG)
    assert page.status_code == 200
    assert page.context["form"]["site"].value() == site.pk  # the only site, chosen already
    response = client.post(LOG, _minimal(site), follow=True)
    assert response.redirect_chain == [(LOG, 302)]
    assert "Accompagnement enregistré" in response.content.decode()
    accompaniment = Accompaniment.objects.get()
    activity = accompaniment.activity
    assert (activity.kind, activity.site, activity.duration_minutes, activity.date) == (
        ActivityKind.INDIVIDUAL, site, 45, timezone.localdate())  # fmt: skip
    assert list(activity.mediators.all()) == [mediator]
    assert [t.national_code for t in activity.themes.all()] == ["email"]
    assert (accompaniment.age_band, accompaniment.outcome, accompaniment.beneficiary) == ("60_69", "completed", None)
    assert accompaniment.first_time is None
    assert list(response.context["recent"]) == [accompaniment]  # "my last accompaniments", with edit and delete
    assert Beneficiary.objects.count() == 0


def test_a_person_who_agrees_to_be_contacted_again_is_recorded_with_their_consent(signed_in, mediator, site):
    data = _minimal(site, **{"contact-recontact": "on", "contact-first_name": "Karim",
                             "contact-phone": "06 12 34 56 78"})  # fmt: skip
    assert signed_in(mediator).post(LOG, data).status_code == 302
    beneficiary = Beneficiary.objects.get()
    assert (beneficiary.mds, beneficiary.first_name, beneficiary.phone) == (site.mds, "Karim", "+33612345678")
    assert beneficiary.consent_at is not None and beneficiary.last_seen_on == timezone.localdate()
    assert Accompaniment.objects.get().beneficiary == beneficiary


def test_recontact_without_a_way_to_contact_records_nothing(signed_in, mediator, site):
    response = signed_in(mediator).post(LOG, _minimal(site, **{"contact-recontact": "on", "contact-first_name": "K"}))
    assert response.status_code == 400
    assert Accompaniment.objects.count() == Beneficiary.objects.count() == 0


def test_a_redirection_names_the_partner(signed_in, mediator, site):
    response = signed_in(mediator).post(LOG, _minimal(site, outcome=Outcome.REDIRECTED))
    assert response.status_code == 400
    assert "Indiquez vers quel partenaire" in response.content.decode()
    redirected = _minimal(site, outcome=Outcome.REDIRECTED, redirected_to="CAF")
    assert signed_in(mediator).post(LOG, redirected).status_code == 302
    assert Accompaniment.objects.get().redirected_to == "CAF"


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SOCIAL_WORKER])
def test_an_agent_who_is_not_a_mediator_cannot_log(signed_in, site, role):
    client = signed_in(agent_with_role(role, site.mds))
    assert client.get(LOG).status_code == 403
    assert client.post(LOG, _minimal(site)).status_code == 403
    assert Activity.objects.count() == 0


def test_a_mediator_cannot_log_at_a_site_where_they_are_not_a_mediator(signed_in, mediator, site):
    """A mediator of MDS A who is a reception agent at MDS B: B's site is not offered, and a forged id is refused."""
    elsewhere = SiteFactory(name="Aubagne")
    Membership.objects.create(agent=mediator, role=Role.RECEPTION, mds=elsewhere.mds)
    client = signed_in(mediator)
    assert list(client.get(LOG).context["form"].fields["site"].queryset) == [site]
    assert client.post(LOG, _minimal(elsewhere)).status_code == 400
    assert Activity.objects.count() == 0


def test_the_site_proposed_is_the_last_one_used(signed_in, mediator, site):
    other = SiteFactory(mds=site.mds, number=2, name="Antenne")
    accompaniment_log(actor=mediator, site=other, themes=[theme("email")], duration_minutes=30)
    assert signed_in(mediator).get(LOG).context["form"]["site"].value() == other.pk


def test_the_themes_a_mediator_logs_most_come_first(signed_in, mediator, site):
    for _ in range(2):
        accompaniment_log(actor=mediator, site=site, themes=[theme("logement")], duration_minutes=30)
    accompaniment_log(actor=mediator, site=site, themes=[theme("email"), theme("logement")], duration_minutes=30)
    first = frequent_themes(mediator)
    assert [t.national_code for t in first[:2]] == ["logement", "email"]
    assert len(first) == 8  # completed from the taxonomy
    frequent, others = signed_in(mediator).get(LOG).context["form"].theme_chips()
    assert [chip.choice_label for chip in frequent[:2]] == ["Logement", "E-mail"]  # as chips, in that order
    assert len(frequent) + len(others) == Theme.objects.active().count()  # every theme reachable, once


def _logged(agent, site, **fields) -> Accompaniment:
    return accompaniment_log(actor=agent, site=site, themes=[theme("email")], duration_minutes=30, **fields)


def test_a_mediator_corrects_and_deletes_their_own_recent_accompaniment(signed_in, mediator, site):
    accompaniment = _logged(mediator, site)
    client = signed_in(mediator)
    edit = reverse("mediation_activities:accompaniment_edit", kwargs={"pk": accompaniment.pk})
    assert client.get(edit).status_code == 200
    assert client.post(edit, _minimal(site, duration_minutes="60")).status_code == 302
    accompaniment.activity.refresh_from_db()
    assert accompaniment.activity.duration_minutes == 60
    assert LogEntry.objects.get_for_object(accompaniment.activity).filter(actor=mediator).count() == 2
    delete = reverse("mediation_activities:accompaniment_delete", kwargs={"pk": accompaniment.pk})
    assert client.post(delete).status_code == 302
    assert Activity.objects.count() == 0
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=mediator).count() == 2  # activity, profile


def test_nobody_corrects_someone_elses_or_an_old_accompaniment(signed_in, mediator, site):
    colleague = agent_with_role(Role.MEDIATOR, site.mds)
    theirs, old = _logged(colleague, site), _logged(mediator, site)
    Activity.objects.filter(pk=old.activity_id).update(created_at=timezone.now() - dt.timedelta(days=31))
    client = signed_in(mediator)
    for accompaniment in (theirs, old):
        for name in ("accompaniment_edit", "accompaniment_delete"):
            url = reverse(f"mediation_activities:{name}", kwargs={"pk": accompaniment.pk})
            assert client.post(url, _minimal(site, duration_minutes="60")).status_code == 403
    assert sorted(Activity.objects.values_list("duration_minutes", flat=True)) == [30, 30]


# --- The MDS's list and exports ---------------------------------------------------------------------------------


def test_the_list_filters_by_outcome_and_theme_and_refuses_a_site_of_another_mds(signed_in, mediator, site):
    _logged(mediator, site, outcome=Outcome.COMPLETED)
    accompaniment_log(actor=mediator, site=site, themes=[theme("logement")], duration_minutes=30,
                      outcome=Outcome.APPOINTMENT)  # fmt: skip
    client = signed_in(mediator)
    url = reverse("mediation_activities:accompaniments")
    assert client.get(url).context["table"].paginator.count == 2
    assert client.get(url, {"outcome": "appointment"}).context["table"].paginator.count == 1
    assert client.get(url, {"theme": theme("email").pk}).context["table"].paginator.count == 1
    bravo = SiteFactory(name="Bravo")
    _logged(agent_with_role(Role.MEDIATOR, bravo.mds), bravo)
    assert client.get(url, {"site": bravo.pk}).context["table"].paginator.count == 0


def test_the_list_reads_a_fixed_number_of_queries(signed_in, mediator, site, django_assert_max_num_queries):
    for _ in range(6):
        _logged(mediator, site)
    client = signed_in(mediator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("mediation_activities:accompaniments")).status_code == 200


def test_the_accompaniments_csv_names_nobody(signed_in, mediator, site):
    _logged(mediator, site, beneficiary=BeneficiaryFactory(mds=site.mds, first_name="Karim", phone="+33612345678"))
    response = signed_in(mediator).get(reverse("mediation_activities:accompaniments_csv"))
    text = b"".join(response.streaming_content).decode()
    assert "Marseille Belle de Mai" in text and "Premier accompagnement" in text
    assert "Karim" not in text and "12 34" not in text


def test_the_beneficiaries_csv_is_in_the_audit_trail(signed_in, mediator, site):
    BeneficiaryFactory(mds=site.mds, first_name="Karim")
    response = signed_in(mediator).get(reverse("mediation_activities:beneficiaries_csv"))
    assert "Karim" in b"".join(response.streaming_content).decode()
    entry = LogEntry.objects.get_for_object(mediator).get(changes__has_key="personal_data_csv")
    assert "(1 rows)" in entry.changes["personal_data_csv"][1]


# --- Beneficiaries ----------------------------------------------------------------------------------------------


def test_merging_moves_the_accompaniments_to_the_record_kept(signed_in, site):
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    kept = BeneficiaryFactory(mds=site.mds, first_name="Karim", phone="", email="karim@example.org")
    duplicate = BeneficiaryFactory(mds=site.mds, first_name="Karim", last_name="Benali", phone="+33612345678")
    moved = [_logged(manager, site, beneficiary=duplicate) for _ in range(2)]
    url = reverse("mediation_activities:beneficiary_merge", kwargs={"pk": kept.pk})
    assert signed_in(manager).post(url, {"duplicate": duplicate.pk, "confirm": "on"}).status_code == 302
    assert not Beneficiary.objects.filter(pk=duplicate.pk).exists()
    kept.refresh_from_db()
    assert (kept.last_name, kept.phone, kept.email) == ("Benali", "+33612345678", "karim@example.org")
    assert set(kept.accompaniments.all()) == set(moved)
    merged = LogEntry.objects.get_for_object(kept).get(changes__has_key="merged")
    assert merged.actor == manager and merged.changes["merged"][1] == f"#{duplicate.pk}"


def test_merging_across_mds_is_refused(signed_in, site):
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    kept = BeneficiaryFactory(mds=site.mds)
    other = BeneficiaryFactory(mds=MdsFactory())
    _logged(agent_with_role(Role.MEDIATOR, other.mds), SiteFactory(mds=other.mds), beneficiary=other)
    url = reverse("mediation_activities:beneficiary_merge", kwargs={"pk": kept.pk})
    assert signed_in(manager).post(url, {"duplicate": other.pk, "confirm": "on"}).status_code == 400
    with pytest.raises(ValidationError) as refused:
        beneficiary_merge(actor=manager, kept=kept, duplicate=other)
    assert refused.value.code == "merge_other_mds"
    assert Beneficiary.objects.count() == 2 and other.accompaniments.count() == 1


def test_a_mediator_may_not_merge(signed_in, mediator, site):
    kept, duplicate = BeneficiaryFactory(mds=site.mds), BeneficiaryFactory(mds=site.mds)
    url = reverse("mediation_activities:beneficiary_merge", kwargs={"pk": kept.pk})
    assert signed_in(mediator).post(url, {"duplicate": duplicate.pk, "confirm": "on"}).status_code == 403
    assert Beneficiary.objects.count() == 2


def test_a_beneficiarys_page_shows_their_accompaniments_and_is_in_the_audit_trail(signed_in, mediator, site):
    beneficiary = BeneficiaryFactory(mds=site.mds, first_name="Karim")
    _logged(mediator, site, beneficiary=beneficiary, redirected_to="CAF", outcome=Outcome.REDIRECTED)
    url = reverse("mediation_activities:beneficiary_detail", kwargs={"pk": beneficiary.pk})
    assert "CAF" in signed_in(mediator).get(url).content.decode()
    assert LogEntry.objects.get_for_object(beneficiary).filter(action=LogEntry.Action.ACCESS, actor=mediator).exists()


# --- Mediators and trainings ------------------------------------------------------------------------------------


def test_a_mediators_page_sums_their_activity_by_month(signed_in, mediator, site):
    record = MediatorFactory(agent=mediator, mds=site.mds)
    today = timezone.localdate()
    _logged(mediator, site)
    accompaniment_log(actor=mediator, site=site, themes=[theme("email")], duration_minutes=60,
                      date=today.replace(day=1) - dt.timedelta(days=1))  # fmt: skip
    session = WorkshopSessionFactory(workshop=WorkshopFactory(mds=site.mds), site=site, facilitators=[mediator])
    held = Activity.objects.create(kind=ActivityKind.COLLECTIVE, mds=site.mds, site=site, session=session, date=today,
                                   duration_minutes=90, participants=6)  # fmt: skip
    held.mediators.set([mediator])
    response = signed_in(mediator).get(reverse("mediation_activities:mediator_detail", kwargs={"pk": record.pk}))
    months = response.context["months"]
    assert [(m.accompaniments, m.accompaniment_hours, m.workshops, m.workshop_hours) for m in months] == [
        (1, 0.5, 1, 1.5), (1, 1.0, 0, 0.0)]  # fmt: skip
    assert response.context["totals"]["accompaniment_hours"] == 1.5


def test_a_manager_adds_an_intern(signed_in, site):
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    intern = agent_with_role(Role.MEDIATOR, site.mds, last_name="Stagiaire")
    data = {"mds": site.mds.pk, "agent": intern.pk, "kind": "intern", "school": "IRTS", "diploma": "Médiateur social",
            "internship_starts_on": "2026-09-01", "internship_ends_on": "2027-06-30", "tutor": manager.pk,
            "sites": [site.pk]}  # fmt: skip
    response = signed_in(manager).post(reverse("mediation_activities:mediator_create"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    record = Mediator.objects.get(agent=intern)
    assert (record.kind, record.tutor, list(record.sites.all())) == ("intern", manager, [site])
    assert LogEntry.objects.get_for_object(record).get().actor == manager


def test_training_hours_are_totalled_per_agent(signed_in, site):
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    agent = agent_with_role(Role.RECEPTION, site.mds, last_name="Formée")
    url = reverse("mediation_activities:training_create")
    for topic, minutes in (("Démarches en ligne", 180), ("Réseaux sociaux", 90)):
        data = {"mds": site.mds.pk, "topic": topic, "trainer": "IRTS", "date": "2026-11-02", "site": site.pk,
                "duration_minutes": minutes, "attendees": [agent.pk]}  # fmt: skip
        assert signed_in(manager).post(url, data).status_code == 302
    elsewhere = AgentTrainingFactory(mds=MdsFactory(), online=True, duration_minutes=600)  # another MDS's training
    elsewhere.attendees.set([agent])
    client = signed_in(manager)
    totals = {a.pk: a for a in client.get(reverse("mediation_activities:agent_totals")).context["table"].data}
    assert (totals[agent.pk].training_count, totals[agent.pk].training_minutes) == (2, 270)
    assert totals[manager.pk].training_count == 0
    page = client.get(reverse("mediation_activities:agent_trainings", kwargs={"pk": agent.pk}))
    assert page.context["hours"] == 4.5
    assert "4,5 h" in page.content.decode()


def test_a_training_names_only_agents_of_its_mds(signed_in, site):
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    outsider = agent_with_role(Role.RECEPTION, MdsFactory())
    data = {"mds": site.mds.pk, "topic": "IA", "trainer": "IRTS", "date": "2026-11-02", "online": "on",
            "duration_minutes": 60, "attendees": [outsider.pk]}  # fmt: skip
    assert signed_in(manager).post(reverse("mediation_activities:training_create"), data).status_code == 400
    assert not outsider.trainings_attended.exists()


def test_an_anonymised_record_is_never_merged(site):
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    kept = BeneficiaryFactory(mds=site.mds)
    gone = BeneficiaryFactory(mds=site.mds, anonymised_at=timezone.now(), first_name="", phone="")
    with pytest.raises(ValidationError):
        beneficiary_merge(actor=manager, kept=kept, duplicate=gone)
    assert Beneficiary.objects.count() == 2


def test_the_team_services_refuse_an_agent_or_a_site_of_another_mds(site):
    """The forms offer only the MDS's agents and sites; the services refuse the others all the same."""
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    outsider = agent_with_role(Role.MEDIATOR, MdsFactory())
    training = AgentTrainingFactory.build(mds=site.mds, online=True)
    with pytest.raises(ValidationError) as refused:
        training_save(actor=manager, training=training, attendees=[outsider])
    assert refused.value.code == "agent_other_mds"
    record = Mediator(agent=agent_with_role(Role.MEDIATOR, site.mds), mds=site.mds)
    with pytest.raises(ValidationError) as refused:
        mediator_save(actor=manager, mediator=record, sites=[SiteFactory()])
    assert refused.value.code == "site_other_mds"
    assert Mediator.objects.count() == 0 and training.pk is None


def test_a_correction_cannot_move_a_named_person_to_another_mds(mediator, site):
    elsewhere = SiteFactory(name="Aubagne")
    Membership.objects.create(agent=mediator, role=Role.MEDIATOR, mds=elsewhere.mds)
    accompaniment = _logged(mediator, site, beneficiary=BeneficiaryFactory(mds=site.mds))
    with pytest.raises(ValidationError):
        accompaniment_update(actor=mediator, accompaniment=accompaniment, site=elsewhere, themes=[theme("email")],
                             duration_minutes=30, date=timezone.localdate())  # fmt: skip
    accompaniment.activity.refresh_from_db()
    assert accompaniment.activity.site == site


def test_the_quick_log_reads_as_many_queries_with_ten_recent_accompaniments_as_with_one(signed_in, mediator, site):
    client = signed_in(mediator)
    counts = []
    for logged in (1, 9):
        for _ in range(logged):
            _logged(mediator, site)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LOG).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 17
