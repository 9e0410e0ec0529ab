"""The right of access and the right to erasure, from the server: found by phone or email in every MDS, recorded."""

import json

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection

from accueil.models import Appointment, ContactRequest, Person, RequestStatus
from core.models import SentMessage
from sites.roles import Role
from tests.accueil.factories import (
    AppointmentFactory,
    ContactRequestFactory,
    NotificationFactory,
    PersonFactory,
    RequestEventFactory,
)
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "+33612345678", "nadia.benali@example.org"


@pytest.fixture
def officer():
    return agent_with_role(Role.ADMIN, email="dpo@departement.test")


@pytest.fixture
def nadia():
    """Nadia in two MDS: a record and a request in each, one request with no record, a timeline and a message."""
    alpha, bravo = MdsFactory(name="Alpha"), MdsFactory(name="Bravo")
    one = PersonFactory(mds=alpha, first_name="Nadia", last_name="Benali", phone=PHONE, email=EMAIL)
    two = PersonFactory(mds=bravo, first_name="Nadia", last_name="Benali", phone=PHONE, email="")
    duplicate = PersonFactory(mds=alpha, first_name="Nadia", last_name="Benaly", phone="", email="", merged_into=one)
    first = ContactRequestFactory(mds=alpha, person=one, first_name="Nadia", last_name="Benali", phone=PHONE,
                                  email=EMAIL, commune="Arles")  # fmt: skip
    second = ContactRequestFactory(mds=bravo, person=two, first_name="Nadia", last_name="Benali", phone=PHONE,
                                   email="", status=RequestStatus.NEW)  # fmt: skip
    loose = ContactRequestFactory(mds=bravo, first_name="Nadia", last_name="Benali", phone="", email=EMAIL.upper())
    RequestEventFactory(request=first, text="Mme Benali rappellera.")
    sent = SentMessage.objects.create(channel="sms", template="accueil/ack", recipient="+33 6 •• •• •• 78",
                                      result="sent", provider="locmem", segments=1)  # fmt: skip
    NotificationFactory(request=first, context={"first_name": "Nadia"}, sent_message=sent)
    other = PersonFactory(mds=alpha, first_name="Autre", last_name="Personne", phone="+33698765432")
    appointment = AppointmentFactory(mds=alpha, person=one, motif__mds=alpha)
    return {"people": [one, two, duplicate], "requests": [first, second, loose], "other": other,
            "appointment": appointment}  # fmt: skip


def test_the_export_holds_every_record_request_event_and_message_in_every_mds(nadia, officer, capsys):
    call_command("accueil_export_person", "--phone", "06 12 34 56 78", "--actor", officer.email)
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert {p["id"] for p in data["people"]} == {p.pk for p in nadia["people"]}
    assert {r["id"] for r in data["requests"]} == {r.pk for r in nadia["requests"][:2]}
    assert {p["mds"] for p in data["people"]} == {"Alpha", "Bravo"}
    assert data["events"][0]["text"] == "Mme Benali rappellera."
    assert data["notifications"][0]["context"] == {"first_name": "Nadia"}
    assert data["notifications"][0]["sent"]["segments"] == 1
    assert nadia["other"].pk not in {p["id"] for p in data["people"]}
    assert "3 fiche(s), 2 demande(s)" in err


def test_the_export_by_email_finds_a_request_without_a_record_whatever_the_case(nadia, officer, capsys):
    call_command("accueil_export_person", "--email", "Nadia.Benali@Example.org", "--actor", officer.email)
    data = json.loads(capsys.readouterr().out)
    assert nadia["requests"][2].pk in {r["id"] for r in data["requests"]}


def test_the_export_is_recorded_with_who_ran_it_and_what_was_read(nadia, officer, capsys):
    call_command("accueil_export_person", "--phone", PHONE, "--actor", officer.email)
    for obj in [*nadia["people"], *nadia["requests"][:2]]:
        entry = LogEntry.objects.get_for_object(obj).get(action=LogEntry.Action.ACCESS)
        assert entry.actor == officer and "right of access" in entry.additional_data["reason"]
    summary = LogEntry.objects.get_for_object(officer).get(changes__has_key="personal_data_export")
    assert summary.actor == officer and "3 people, 2 requests" in summary.changes["personal_data_export"][1]
    assert PHONE not in json.dumps(summary.additional_data)  # the search is masked in the trail


def test_the_commands_need_a_known_actor_and_one_valid_way_to_find_the_person(nadia):
    with pytest.raises(CommandError):
        call_command("accueil_export_person", "--phone", PHONE)
    with pytest.raises(CommandError):
        call_command("accueil_export_person", "--phone", PHONE, "--actor", "personne@nulle.part")
    with pytest.raises(CommandError):
        call_command("accueil_erase_person", "--phone", "12", "--actor", "personne@nulle.part", "--yes")
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def _accueil_tables_text() -> str:
    """Every row of every accueil table (and the provider log), as text."""
    chunks = []
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t.startswith("accueil_")]
        for table in [*tables, "core_sentmessage"]:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (names from the introspection)
            chunks.append(repr(cursor.fetchall()))
    return "\n".join(chunks)


def test_erasure_leaves_no_name_phone_or_email_anywhere(nadia, officer, capsys):
    """Not in the accueil tables, the provider log, nor the audit entries about those rows; statistics stay."""
    call_command("accueil_erase_person", "--phone", "06 12 34 56 78", "--actor", officer.email, "--yes")
    call_command("accueil_erase_person", "--email", EMAIL, "--actor", officer.email, "--yes")
    text = _accueil_tables_text()
    for trace in ("Benali", "Benaly", "612345678", "nadia.benali", "NADIA.BENALI", "Arles", "rappellera"):
        assert trace.lower() not in text.lower(), trace
    assert "Personne" in text  # another person stays as they were
    people = [nadia["people"][0].pk, nadia["people"][1].pk, nadia["people"][2].pk]
    requests = [r.pk for r in nadia["requests"]]
    audit = repr(list(LogEntry.objects.filter(object_pk__in=[str(i) for i in people + requests]).exclude(
        content_type__model="agent").values_list("changes", "object_repr")))  # fmt: skip
    assert "Benali" not in audit and "612345678" not in audit
    assert Person.objects.filter(pk__in=people, anonymised_at__isnull=False).count() == 3
    assert Appointment.objects.get(pk=nadia["appointment"].pk).anonymised_at is not None
    kept = ContactRequest.objects.filter(pk__in=requests).values_list("kind", "topic", "mds__name")
    assert sorted(kept) == sorted([("appointment", "housing", "Alpha"), ("appointment", "housing", "Bravo"),
                                   ("appointment", "housing", "Bravo")])  # fmt: skip
    out = capsys.readouterr().out
    assert "Trouvé\u00a0: 3 fiche(s) et 2 demande(s)." in out and "Anonymisé\u00a0: 3 fiche(s)" in out


def test_erasure_is_recorded_with_who_ran_it_and_what_was_done(nadia, officer):
    call_command("accueil_erase_person", "--email", EMAIL, "--actor", officer.email, "--yes")
    entry = LogEntry.objects.get_for_object(officer).get(changes__has_key="personal_data_erasure")
    assert entry.actor == officer
    assert "2 requests" in entry.changes["personal_data_erasure"][1]
    assert EMAIL not in repr(entry.additional_data) and "n•••@example.org" in entry.additional_data["reason"]


def test_erasure_asks_first_and_a_no_changes_nothing(nadia, officer, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "non")
    with pytest.raises(CommandError):
        call_command("accueil_erase_person", "--phone", PHONE, "--actor", officer.email)
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()
    assert not LogEntry.objects.filter(changes__has_key="personal_data_erasure").exists()


def test_the_record_a_duplicate_was_merged_into_is_the_same_person(officer, capsys):
    """Found by the duplicate's old phone, the record it was merged into (with another phone) is exported too."""
    kept = PersonFactory(phone="+33698765432", email="")
    old = PersonFactory(mds=kept.mds, phone=PHONE, email="", merged_into=kept)
    call_command("accueil_export_person", "--phone", PHONE, "--actor", officer.email)
    data = json.loads(capsys.readouterr().out)
    assert {p["id"] for p in data["people"]} == {kept.pk, old.pk}
