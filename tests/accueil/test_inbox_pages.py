"""The request's page (as written, bidi-isolated and escaped, audited on every read), its actions, walk-ins,
the indicators, the menu entry and the dashboard's line."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accueil import inbox
from accueil.models import ContactRequest, Notification, Person, RequestEvent, RequestSource, RequestStatus
from core.models import SentMessage
from sites.roles import Role
from tests.accueil.factories import AppointmentFactory, ContactRequestFactory, NotificationFactory, PersonFactory
from tests.factories import MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db

BIDI_OVERRIDE = "\u202eevil\u202c"


@pytest.fixture
def alpha():
    return MdsFactory(name="Alpha")


@pytest.fixture
def agent(alpha):
    return agent_with_role(Role.RECEPTION, alpha)


def test_user_text_is_shown_bidi_isolated_and_escaped(agent, alpha, signed_in):
    """Name, message and timeline text sit in dir="auto" elements; markup typed by the person never renders."""
    request = ContactRequestFactory(
        mds=alpha, first_name="مريم", last_name=f"<script>alert(1)</script>{BIDI_OVERRIDE}",
        message="<b>gras</b> مرحبا", commune="<i>Arles</i>",
    )  # fmt: skip
    RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.NOTE, text="<img src=x onerror=alert(1)>")
    client = signed_in(agent)
    html = client.get(reverse("accueil:request_detail", args=[request.pk])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>gras</b>" not in html and "<img src=x" not in html and "<i>Arles</i>" not in html
    assert f'<bdi dir="auto">مريم &lt;script&gt;alert(1)&lt;/script&gt;{BIDI_OVERRIDE}</bdi>' in html
    assert '<div class="inbox-message" dir="auto">&lt;b&gt;gras&lt;/b&gt; مرحبا</div>' in html
    assert '<p class="inbox-text" dir="auto">&lt;img src=x onerror=alert(1)&gt;</p>' in html
    listed = client.get(reverse("accueil:inbox")).content.decode()
    assert f'<bdi dir="auto">مريم &lt;script&gt;alert(1)&lt;/script&gt;{BIDI_OVERRIDE}</bdi>' in listed


def test_every_read_of_a_request_page_is_in_the_audit_trail(agent, alpha, signed_in):
    """Two openings, two ACCESS entries naming the agent and the request."""
    request = ContactRequestFactory(mds=alpha)
    client = signed_in(agent)
    for _ in range(2):
        assert client.get(reverse("accueil:request_detail", args=[request.pk])).status_code == 200
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ContactRequest), object_pk=str(request.pk),
        action=LogEntry.Action.ACCESS,
    )  # fmt: skip
    assert entries.count() == 2
    assert {entry.actor for entry in entries} == {agent}


def test_an_agent_of_another_mds_opening_the_page_leaves_no_trace_and_gets_404(alpha, signed_in):
    """404 before anything is read, so no access entry either."""
    request = ContactRequestFactory(mds=alpha)
    outsider = agent_with_role(Role.MDS_MANAGER, MdsFactory(name="Bravo"))
    assert signed_in(outsider).get(reverse("accueil:request_detail", args=[request.pk])).status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(request.pk)).exists()


def test_the_page_shows_each_message_and_its_fate(agent, alpha, signed_in):
    """An outbox row with its message-log result and provider, a pending one, and the reply's text."""
    request = ContactRequestFactory(mds=alpha)
    log = SentMessage.objects.create(channel="sms", template="accueil/messages/acknowledgement", result="failed",
                                     recipient="+33 6 •• •• •• 78", provider="ovh", error="Numéro injoignable",
                                     segments=2)  # fmt: skip
    NotificationFactory(request=request, channel="sms", status=Notification.Status.FAILED, sent_message=log)
    event = RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.MESSAGE, text="Bonjour Nadia")
    NotificationFactory(request=request, purpose=Notification.Purpose.REPLY, key=f"reply:{event.pk}:email",
                        context={"event_id": event.pk})  # fmt: skip
    html = signed_in(agent).get(reverse("accueil:request_detail", args=[request.pk])).content.decode()
    assert "Numéro injoignable" in html and "ovh" in html and "2 segments" in html
    assert "À envoyer" in html  # the pending reply
    assert html.count("Bonjour Nadia") == 2  # on the timeline and beside its message


def test_the_page_costs_a_fixed_number_of_queries(agent, alpha, signed_in, django_assert_num_queries):
    """Timeline and messages in one query each, whatever their length."""
    request = ContactRequestFactory(mds=alpha)
    client = signed_in(agent)
    url = reverse("accueil:request_detail", args=[request.pk])
    client.get(url)
    for _ in range(2):
        with django_assert_num_queries(PAGE_QUERIES):
            client.get(url)
        for i in range(5):
            RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.NOTE, text=f"note {i}", author=agent)
            NotificationFactory(request=request)


PAGE_QUERIES = 13


def test_taking_a_request_from_its_page(agent, alpha, signed_in):
    """The "take" button: mine, taken, back on the page."""
    request = ContactRequestFactory(mds=alpha)
    response = signed_in(agent).post(reverse("accueil:request_take", args=[request.pk]))
    assert response.status_code == 302
    stored = ContactRequest.objects.get(pk=request.pk)
    assert (stored.assigned_to, stored.status) == (agent, RequestStatus.TAKEN)


def test_status_note_and_assignment_from_the_page(agent, alpha, signed_in):
    """Each form writes through its service; a refused form shows the page again with a 400."""
    colleague = agent_with_role(Role.SOCIAL_WORKER, alpha)
    request = ContactRequestFactory(mds=alpha)
    client = signed_in(agent)
    client.post(reverse("accueil:request_assign", args=[request.pk]), {"assignee": colleague.pk})
    client.post(reverse("accueil:request_status", args=[request.pk]), {"status": "redirected", "note": "CAF"})
    client.post(reverse("accueil:request_note", args=[request.pk]), {"text": "Vu au guichet."})
    assert client.post(reverse("accueil:request_note", args=[request.pk]), {"text": ""}).status_code == 400
    stored = ContactRequest.objects.get(pk=request.pk)
    assert (stored.assigned_to, stored.status) == (colleague, RequestStatus.REDIRECTED)
    assert stored.closed_at is not None
    assert list(stored.events.values_list("kind", flat=True)) == ["assigned", "status", "note"]


def test_the_assignment_form_refuses_an_agent_of_another_mds(agent, alpha, signed_in):
    """A forged assignee id of MDS B is refused and nothing changes."""
    request = ContactRequestFactory(mds=alpha)
    outsider = agent_with_role(Role.RECEPTION, MdsFactory(name="Bravo"))
    signed_in(agent).post(reverse("accueil:request_assign", args=[request.pk]), {"assignee": outsider.pk})
    assert ContactRequest.objects.get(pk=request.pk).assigned_to is None


def test_recording_a_walk_in_from_the_page(agent, alpha, signed_in):
    """The form records an AGENT request in the agent's MDS and opens it; without the notice it is refused."""
    client = signed_in(agent)
    data = {"mds": alpha.pk, "kind": "question", "topic": "housing", "last_name": "Durand",
            "phone": "06 12 34 56 78", "notice": "on"}  # fmt: skip
    assert client.post(reverse("accueil:walk_in"), {**data, "notice": ""}).status_code == 400
    response = client.post(reverse("accueil:walk_in"), data)
    request = ContactRequest.objects.get()
    assert response["Location"] == reverse("accueil:request_detail", args=[request.pk])
    assert (request.source, request.mds, request.phone) == (RequestSource.AGENT, alpha, "+33612345678")


def test_a_walk_in_is_linked_to_the_persons_record_and_a_shared_phone_is_not_enough(agent, alpha):
    """Same last name (any case) and phone: the known record. The family's phone with another last name is
    another person: a record of their own."""
    known = PersonFactory(mds=alpha, last_name="Durand", phone="+33612345678")
    walk_in = {"actor": agent, "mds": alpha, "kind": "question", "topic": "housing", "phone": "+33612345678"}
    linked = inbox.request_record_walk_in(**walk_in, last_name="DURAND")
    relative = inbox.request_record_walk_in(**walk_in, last_name="Benali", first_name="Nadia")
    assert linked.person == known
    assert relative.person not in (None, known)
    assert (relative.person.last_name, relative.person.first_name) == ("Benali", "Nadia")
    assert Person.objects.filter(mds=alpha).count() == 2


def test_a_walk_in_cannot_be_recorded_in_another_mds(agent, signed_in):
    """A forged MDS id is an invalid choice."""
    bravo = MdsFactory(name="Bravo")
    data = {"mds": bravo.pk, "kind": "question", "topic": "housing", "last_name": "Durand",
            "email": "a@example.org", "notice": "on"}  # fmt: skip
    assert signed_in(agent).post(reverse("accueil:walk_in"), data).status_code == 400
    assert not ContactRequest.objects.exists()


def test_the_indicators_of_an_mds(agent, alpha, signed_in):
    """Per week by kind, the median time to first answer (online requests), the oldest unanswered, per status."""
    now = timezone.now()
    answered = [ContactRequestFactory(mds=alpha, kind="question") for _ in range(3)]
    for hours, request in zip((1, 2, 30), answered, strict=True):
        ContactRequest.objects.filter(pk=request.pk).update(
            submitted_at=now - datetime.timedelta(hours=40),
            first_answered_at=now - datetime.timedelta(hours=40 - hours),
            status=RequestStatus.TAKEN,
        )
    oldest = ContactRequestFactory(mds=alpha)
    ContactRequest.objects.filter(pk=oldest.pk).update(submitted_at=now - datetime.timedelta(days=3))
    ContactRequestFactory(mds=alpha, source=RequestSource.AGENT, first_answered_at=now - datetime.timedelta(days=9))
    ContactRequestFactory(mds=MdsFactory(name="Bravo"))
    response = signed_in(agent).get(reverse("accueil:indicators"))
    figures = response.context["figures"]
    assert figures.median_first_answer == datetime.timedelta(hours=2)
    assert figures.answered_count == 3
    assert figures.oldest_unanswered == oldest
    assert sum(week.total for week in figures.weeks) == 5
    assert len(figures.weeks) == 12
    assert dict(figures.open_by_status)["Prise en charge"] == 3
    html = response.content.decode().replace("\xa0", " ")
    assert "2 heures" in html and "<svg" in html and "Bravo" not in html


def test_the_no_show_rate_counts_past_held_appointments_whose_attendance_is_recorded(alpha, signed_in):
    """3 seen, 1 no-show: 25 %; a cancelled one, a future one, an unrecorded one, another MDS's: not in the rate,
    the unrecorded one counted beside it."""
    now = timezone.now()
    past = {"starts_at": now - datetime.timedelta(days=2), "ends_at": now - datetime.timedelta(days=2, minutes=-30)}
    for attendance in ("seen", "seen", "seen", "no_show", "unknown"):
        AppointmentFactory(mds=alpha, motif__mds=alpha, attendance=attendance, **past)
    AppointmentFactory(mds=alpha, motif__mds=alpha, attendance="cancelled", cancelled_at=now, **past)
    AppointmentFactory(mds=alpha, motif__mds=alpha)  # in three days
    bravo = MdsFactory(name="Bravo")
    AppointmentFactory(mds=bravo, motif__mds=bravo, attendance="no_show", **past)
    manager = agent_with_role(Role.MDS_MANAGER, alpha)
    response = signed_in(manager).get(reverse("accueil:indicators"))
    attendance = response.context["attendance"]
    assert (attendance.seen, attendance.no_show, attendance.unknown, attendance.no_show_percent) == (3, 1, 1, 25)
    html = response.content.decode()
    assert "Taux d’absence" in html and "25\u00a0%" in html and "1 sur 4" in html


def test_the_menu_shows_the_inbox_to_agents_who_answer_requests(agent, alpha, signed_in):
    """ "Accueil" in the menu for reception; not for a mediator."""
    assert 'href="/backoffice/accueil/"' in signed_in(agent).get(reverse("sites:dashboard")).content.decode()


def test_the_menu_hides_the_inbox_from_mediators(alpha, signed_in):
    """A mediator holds no permission on requests."""
    mediator = agent_with_role(Role.MEDIATOR, alpha)
    assert 'href="/backoffice/accueil/"' not in signed_in(mediator).get(reverse("sites:dashboard")).content.decode()


def test_the_dashboard_site_cards_count_new_and_unanswered_requests(agent, alpha, signed_in):
    """Each site card of the MDS says how many requests are new and unanswered, and links to the open ones."""
    site = SiteFactory(mds=alpha)
    ContactRequestFactory.create_batch(2, mds=alpha)
    ContactRequestFactory(mds=alpha, status=RequestStatus.TAKEN, first_answered_at=timezone.now())
    ContactRequestFactory(mds=MdsFactory(name="Bravo"))
    html = signed_in(agent).get(reverse("sites:dashboard")).content.decode()
    assert f"?status=open&amp;mds={alpha.pk}" in html
    assert "2 nouvelles demandes" in html and "2 sans réponse" in html
    assert site.name in html


def test_a_forged_status_is_refused_by_the_page(agent, alpha, signed_in):
    """A status the rules do not allow from here (back to new) is not among the choices: 400, nothing written."""
    request = ContactRequestFactory(mds=alpha, status=RequestStatus.TAKEN)
    response = signed_in(agent).post(reverse("accueil:request_status", args=[request.pk]), {"status": "new"})
    assert response.status_code == 400
    assert ContactRequest.objects.get(pk=request.pk).status == RequestStatus.TAKEN
    assert not request.events.exists()


def test_the_dashboard_line_costs_one_query_for_every_site_shown(agent, alpha, django_assert_num_queries):
    """One aggregate query whatever the number of sites and MDS, and nothing of an MDS the agent does not see."""
    from accueil.site_panel import mds_request_counts

    bravo = MdsFactory(name="Bravo")
    sites = [SiteFactory(mds=alpha, number=1), SiteFactory(mds=alpha, number=2), SiteFactory(mds=bravo, number=1)]
    ContactRequestFactory(mds=alpha)
    ContactRequestFactory(mds=bravo)
    agent.roles  # noqa: B018 - loaded once per request in real life
    with django_assert_num_queries(1):
        counts = mds_request_counts(agent, sites)
    assert counts == {site.pk: {"mds": alpha.pk, "new": 1, "unanswered": 1} for site in sites[:2]}
