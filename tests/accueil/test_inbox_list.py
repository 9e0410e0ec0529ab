"""The inbox list: scoped rows, filters, search in any writing, CSV export, a pinned query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accueil.models import ContactRequest, RequestStatus
from core.csv import csv_lines
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha():
    return MdsFactory(name="Alpha")


@pytest.fixture
def bravo():
    return MdsFactory(name="Bravo")


@pytest.fixture
def agent(alpha):
    return agent_with_role(Role.RECEPTION, alpha)


def _references(response) -> set[str]:
    return {row.record.reference for row in response.context["table"].page.object_list}


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_an_agent_of_mds_a_never_sees_mds_b_requests(agent, alpha, bravo, signed_in):
    """List, search, page and CSV: MDS B's request is nowhere, even searched by its reference."""
    mine = ContactRequestFactory(mds=alpha, last_name="Martin")
    theirs = ContactRequestFactory(mds=bravo, last_name="Martin")
    client = signed_in(agent)
    assert _references(client.get(reverse("accueil:inbox"))) == {mine.reference}
    assert _references(client.get(reverse("accueil:inbox"), {"q": theirs.reference})) == set()
    assert client.get(reverse("accueil:request_detail", args=[theirs.pk])).status_code == 404
    csv = _csv(client.get(reverse("accueil:inbox_csv")))
    assert mine.display_reference in csv and theirs.display_reference not in csv


def test_forged_filter_ids_of_another_mds_list_nothing(agent, alpha, bravo, signed_in):
    """?mds= or ?agent= naming MDS B's rows is an invalid choice: nothing listed, nothing exported."""
    ContactRequestFactory(mds=alpha)
    bravo_agent = agent_with_role(Role.RECEPTION, bravo)
    ContactRequestFactory(mds=bravo, assigned_to=bravo_agent)
    client = signed_in(agent)
    for forged in ({"mds": bravo.pk}, {"agent": bravo_agent.pk}):
        response = client.get(reverse("accueil:inbox"), forged)
        assert response.status_code == 200
        assert _references(response) == set()
        assert "Bravo" not in _csv(client.get(reverse("accueil:inbox_csv"), forged)).split("\r\n", 1)[1]


def test_filters_by_status_kind_topic_age_and_assignee(agent, alpha, signed_in):
    """Each filter keeps the rows it names."""
    colleague = agent_with_role(Role.SOCIAL_WORKER, alpha)
    new = ContactRequestFactory(mds=alpha, kind="question", topic="budget")
    taken = ContactRequestFactory(mds=alpha, status=RequestStatus.TAKEN, assigned_to=agent)
    closed = ContactRequestFactory(mds=alpha, status=RequestStatus.CLOSED, closed_at=timezone.now(),
                                   assigned_to=colleague)  # fmt: skip
    old = ContactRequestFactory(mds=alpha)
    ContactRequest.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=10))
    client = signed_in(agent)
    cases = {
        (("status", "open"),): {new.reference, taken.reference, old.reference},
        (("status", "closed"),): {closed.reference},
        (("kind", "question"),): {new.reference},
        (("topic", "budget"),): {new.reference},
        (("age", "7"),): {old.reference},
        (("assignee", "mine"),): {taken.reference},
        (("assignee", "none"),): {new.reference, old.reference},
        (("agent", colleague.pk),): {closed.reference},
    }
    for query, expected in cases.items():
        assert _references(client.get(reverse("accueil:inbox"), dict(query))) == expected, query


@pytest.mark.parametrize(
    "typed",
    ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "06.12.34.56.78", "héloïse", "HELOISE", "Gärtner",
     "gartner", "heloise@exemple", "34 56 78"],
)  # fmt: skip
def test_search_finds_a_request_by_phone_in_any_writing_and_by_name_without_accents(agent, alpha, signed_in, typed):
    """Phone numbers in any writing; names and email with accents and case ignored."""
    found = ContactRequestFactory(mds=alpha, first_name="Héloïse", last_name="Gärtner", phone="+33612345678",
                                  email="heloise@exemple.fr")  # fmt: skip
    ContactRequestFactory(mds=alpha, first_name="Paul", last_name="Dupont", phone="+33699999999", email="p@x.fr")
    assert _references(signed_in(agent).get(reverse("accueil:inbox"), {"q": typed})) == {found.reference}


@pytest.mark.parametrize("typed", ["{r}", "{r4}-{r8}", "{low}"])
def test_search_finds_a_request_by_its_reference_with_or_without_the_dash(agent, alpha, signed_in, typed):
    """The reference as read over the phone: with its dash, without, in lower case."""
    found = ContactRequestFactory(mds=alpha)
    ContactRequestFactory(mds=alpha)
    ref = found.reference
    text = typed.format(r=ref, r4=ref[:4], r8=ref[4:], low=ref.lower())
    assert _references(signed_in(agent).get(reverse("accueil:inbox"), {"q": text})) == {ref}


def test_the_csv_never_carries_a_live_formula(agent, alpha, signed_in):
    """A name or message typed as a formula is exported as text (a leading apostrophe), one row per request."""
    ContactRequestFactory(mds=alpha, first_name='=HYPERLINK("http://x")', last_name="+cmd", message="@SUM(A1)")
    ContactRequestFactory(mds=alpha, last_name="-2+3")
    text = _csv(signed_in(agent).get(reverse("accueil:inbox_csv")))
    lines = text.strip("\r\n").split("\r\n")
    assert len(lines) == 3
    for cell in ("'=HYPERLINK", "'+cmd", "'@SUM(A1)", "'-2+3"):
        assert cell in text
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line.split(";"))
    assert "".join(csv_lines([["x"]]))  # the one writer is the one used (core.csv)


def test_the_list_costs_the_same_queries_for_3_or_30_requests(agent, alpha, signed_in, django_assert_num_queries):
    """No query per row: assignee and site come with the rows."""
    client = signed_in(agent)
    colleague = agent_with_role(Role.SOCIAL_WORKER, alpha)
    ContactRequestFactory.create_batch(3, mds=alpha, assigned_to=colleague)
    client.get(reverse("accueil:inbox"))  # warm the session and the permission caches
    with django_assert_num_queries(QUERIES):
        client.get(reverse("accueil:inbox"))
    ContactRequestFactory.create_batch(27, mds=alpha, assigned_to=agent)
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("accueil:inbox"))
    assert len(_references(response)) == 30


QUERIES = 10
