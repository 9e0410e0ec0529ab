"""Error pages: French, in the site's layout, never reading the request's body or the database, no stack trace."""

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from core import errors

pytestmark = pytest.mark.django_db

MALFORMED = {"data": b"--x\r\nnot a multipart body", "content_type": "multipart/form-data; boundary="}


def _browser() -> Client:
    """A browser that already holds a CSRF cookie: Django's default 404 page then checks CSRF on the body."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = "a" * 32
    return client


def test_a_malformed_multipart_body_on_an_unknown_address_gets_the_french_not_found_page():
    """Django's default 404 handler read the body for its CSRF check and answered 500."""
    response = _browser().generic("POST", "/nulle-part/", **MALFORMED)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page introuvable</h1>" in html
    assert '<html lang="fr"' in html and 'href="#main"' in html  # the layout: language, skip link
    assert "Traceback" not in html
    assert "/backoffice/" not in html  # a visitor of the portal has no dashboard to go back to


def test_a_malformed_multipart_body_on_a_real_form_gets_the_french_bad_request_page():
    response = _browser().generic("POST", "/backoffice/login/", **MALFORMED)
    assert response.status_code == 400
    assert "<h1>Requête incorrecte</h1>" in response.content.decode()


def test_the_not_found_page_queries_nothing_even_for_a_signed_in_agent():
    """The page reads neither the session nor the user: it renders when the database is gone."""
    request = RequestFactory().get("/backoffice/nulle-part/")
    with CaptureQueriesContext(connection) as queries:
        response = errors.page_not_found(request, exception=None)
    assert response.status_code == 404
    assert len(queries) == 0
    assert 'href="/backoffice/"' in response.content.decode()  # agents get a way back


def test_a_server_error_shows_the_french_page_without_the_exception():
    request = RequestFactory().get("/backoffice/")
    try:
        raise ValueError("secret internal detail")
    except ValueError:
        response = errors.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Erreur du serveur</h1>" in html
    assert "secret internal detail" not in html and "ValueError" not in html


def test_a_query_cancelled_by_its_timeout_is_a_server_error_not_an_outage():
    """psycopg raises OperationalError for a statement timeout too: that is the page's fault (500, logged as
    such), not "service temporarily unavailable"."""
    request = RequestFactory().get("/backoffice/")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
    except OperationalError:
        response = errors.server_error(request)
    assert response.status_code == 500


def test_a_permission_refused_shows_the_french_page(signed_in):
    """A per-MDS agent on a page of a département-wide role: 403, in French."""
    from sites.roles import Role
    from tests.factories import MdsFactory, agent_with_role

    client = signed_in(agent_with_role(Role.RECEPTION, MdsFactory()))
    response = client.get("/backoffice/wifi/maintenance/new/")
    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_explains_in_french_that_it_expired():
    """Django's own CSRF page is English and technical."""
    response = Client(enforce_csrf_checks=True).post("/backoffice/login/", {"username": "a@b.fr", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Formulaire expiré</h1>" in html
    assert "CSRF" not in html
