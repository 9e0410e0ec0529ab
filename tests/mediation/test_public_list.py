"""The public list shows the sessions still open for registration — planned, not started, of active workshops —
of every MDS or of the one its address names, with their seats left, and costs the same queries for many."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import SessionStatus
from tests.mediation.factories import RegistrationFactory, WorkshopFactory, WorkshopSessionFactory, theme
from tests.mediation.public import arles_session

pytestmark = pytest.mark.django_db


def test_only_planned_future_sessions_are_listed(client):
    open_ = arles_session(title="Ouverte")
    arles_session(title="Passée", starts_at=timezone.now() - dt.timedelta(hours=1))
    arles_session(title="Annulée", status=SessionStatus.CANCELLED)
    arles_session(title="Atelier retiré", workshop=WorkshopFactory(mds=open_.workshop.mds, active=False))
    response = client.get(reverse("mediation_public:list"))
    assert response.status_code == 200, response
    html = response.content.decode()
    assert "Ouverte" in html
    assert "Passée" not in html and "Annulée" not in html and "Atelier retiré" not in html


def test_the_site_page_shows_only_its_mds(client):
    arles_session(title="À Arles")
    WorkshopSessionFactory(workshop__title="À Aubagne", workshop__mds__slug="mds-aubagne")
    html = client.get(reverse("mediation_public:site", args=["mds-arles"])).content.decode()
    assert "À Arles" in html and "À Aubagne" not in html
    assert client.get(reverse("mediation_public:site", args=["nowhere"])).status_code == 404


def test_the_list_filters_by_theme_and_commune(client):
    arles_session(title="Courriels", workshop=WorkshopFactory(title="Courriels", themes=[theme("email")]))
    WorkshopSessionFactory(workshop__title="Ailleurs", site__commune="Aubagne")
    html = client.get(reverse("mediation_public:list"), {"commune": "Arles"}).content.decode()
    assert "Courriels" in html and "Ailleurs" not in html
    other_theme = client.get(reverse("mediation_public:list"), {"theme": "no-such-theme"}).content.decode()
    assert "Courriels" not in other_theme


def test_seats_left_then_full_with_a_waiting_list(client):
    session = arles_session(capacity=2)
    RegistrationFactory(session=session)
    html = client.get(reverse("mediation_public:site", args=["mds-arles"])).content.decode()
    assert "1 place restante" in html
    RegistrationFactory(session=session)
    html = client.get(reverse("mediation_public:site", args=["mds-arles"])).content.decode()
    assert "Complet — liste d’attente" in html


def test_the_list_is_french_first_and_arabic_right_to_left(client):
    arles_session()
    french = client.get(reverse("mediation_public:list")).content.decode()
    assert '<html lang="fr" dir="ltr">' in french and "Ateliers numériques" in french
    arabic = client.get(reverse("mediation_public:list"), {"lang": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic


def test_the_list_costs_the_same_queries_for_many_sessions(client, django_assert_num_queries):
    from core.public_mentions import mentions

    for _ in range(3):
        arles_session()
    mentions()  # the co-funders' mention of every public page is cached on its own (funding.publicity.eu_mention)
    with django_assert_num_queries(3):  # the sessions with their seats taken, the themes, the communes
        client.get(reverse("mediation_public:list"))
    for _ in range(10):
        RegistrationFactory(session=arles_session())
    with django_assert_num_queries(3):
        client.get(reverse("mediation_public:list"))
