"""The CSV downloads of people's data (requests, appointments, people): one row per item as filtered on the list,
formulas defused, and each download in the audit trail with who took which rows."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from sites.roles import Role
from tests.accueil.factories import AppointmentFactory, ContactRequestFactory, PersonFactory
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_people_export_has_one_row_per_person_of_the_list(signed_in):
    alpha = MdsFactory(name="Alpha")
    nadia = PersonFactory(mds=alpha, last_name="Benali", first_name="Nadia", phone="+33612345678")
    PersonFactory(mds=alpha, last_name='=HYPERLINK("http://evil")', first_name="")
    PersonFactory(mds=MdsFactory(name="Bravo"), last_name="Ailleurs")
    ContactRequestFactory.create_batch(2, mds=alpha, person=nadia)
    AppointmentFactory.create_batch(3, mds=alpha, motif__mds=alpha, person=nadia)
    client = signed_in(agent_with_role(Role.RECEPTION, alpha))
    rows = _rows(client.get(reverse("accueil_people:people_csv")))
    assert rows[0][:4] == ["Nom", "Prénom", "Téléphone", "E-mail"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Benali", '\'=HYPERLINK("http://evil")'}  # Bravo's person is not Alpha's agent's
    assert by_name["Benali"][2] == "06 12 34 56 78"
    assert by_name["Benali"][7:9] == ["2", "3"]  # requests and appointments, each counted once
    filtered = _rows(client.get(reverse("accueil_people:people_csv") + "?q=benali"))
    assert [row[0] for row in filtered[1:]] == ["Benali"]


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("accueil:inbox_csv", lambda mds: ContactRequestFactory(mds=mds)),
        ("accueil_appointments:export", lambda mds: AppointmentFactory(mds=mds, motif__mds=mds)),
        ("accueil_people:people_csv", lambda mds: PersonFactory(mds=mds)),
    ],
)
def test_each_download_of_personal_data_is_in_the_audit_trail(signed_in, url, factory):
    alpha = MdsFactory(name="Alpha")
    factory(alpha)
    agent = agent_with_role(Role.MDS_MANAGER, alpha)
    assert signed_in(agent).get(reverse(url) + "?q=a").status_code == 200
    entry = LogEntry.objects.filter(actor=agent, changes__has_key="personal_data_csv").get()
    assert entry.changes["personal_data_csv"][1].startswith(reverse(url) + "?q=a (")
