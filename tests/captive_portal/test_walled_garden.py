"""The walled garden: host names only, per site or for every site (département-wide), exported for the gateways."""

import io

import idna
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from captive_portal import content
from captive_portal.models import WalledGardenDomain
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("www.caf.fr", "www.caf.fr"),
        ("  WWW.Ameli.FR. ", "www.ameli.fr"),
        ("démarches.gouv.fr", idna.encode("démarches.gouv.fr").decode()),
        ("*.service-public.fr", "*.service-public.fr"),
        ("xn--dmarches-c1a.gouv.fr", "xn--dmarches-c1a.gouv.fr"),
    ],
)
def test_host_names_are_stored_lowercase_and_in_ascii(typed, stored):
    assert content.domain_normalise(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("https://www.caf.fr", "scheme"),
        ("www.caf.fr/aides", "path"),
        ("www.caf.fr:443", "port"),
        ("caf", "incomplete"),
        ("caf.123", "incomplete"),
        ("*caf.fr", "wildcard"),
        ("www.*.caf.fr", "wildcard"),
        ("*", "wildcard"),
        ("192.0.2.10", "ip"),
        ("2001:db8::1", "ip"),
        ("-caf-.fr", "invalid"),
        ("exa mple.fr", "path"),
        ("", "empty"),
        ("a" * 64 + ".fr", "invalid"),
    ],
)
def test_anything_but_a_host_name_is_refused(typed, code):
    with pytest.raises(content.ValidationError) as error:
        content.domain_normalise(typed)
    assert error.value.code == code


@pytest.fixture
def alpha():
    return SiteFactory(mds=MdsFactory(name="Alpha"), name="Site Alpha", slug="site-alpha")


@pytest.fixture
def bravo():
    return SiteFactory(mds=MdsFactory(name="Bravo"), name="Site Bravo", slug="site-bravo")


def test_a_manager_adds_and_removes_a_domain_for_their_site(alpha, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    url = reverse("portal_content:garden_site", kwargs={"slug": alpha.slug})
    response = client.post(url, {"domain": "Agenda.Example.FR", "note": "Agenda des ateliers"})
    assert response.status_code == 302
    domain = WalledGardenDomain.objects.get()
    assert (domain.site, domain.domain) == (alpha, "agenda.example.fr")
    again = client.post(url, {"domain": "agenda.example.fr"})
    assert again.status_code == 200 and again.context["form"].errors["domain"]
    assert client.post(reverse("portal_content:garden_delete", kwargs={"pk": domain.pk})).status_code == 302
    assert not WalledGardenDomain.objects.exists()


def test_a_bad_domain_is_explained_and_not_saved(alpha, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    response = client.post(reverse("portal_content:garden_site", kwargs={"slug": alpha.slug}),
                           {"domain": "https://www.caf.fr/"})  # fmt: skip
    assert "https://" in " ".join(response.context["form"].errors["domain"])
    assert not WalledGardenDomain.objects.exists()


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.MEDIATOR])
def test_other_per_mds_roles_only_read_the_garden(role, alpha, signed_in):
    client = signed_in(agent_with_role(role, alpha.mds))
    url = reverse("portal_content:garden_site", kwargs={"slug": alpha.slug})
    assert client.get(url).status_code == 200
    assert client.post(url, {"domain": "example.fr"}).status_code == 403
    assert not WalledGardenDomain.objects.exists()


def test_only_departement_wide_roles_manage_domains_for_every_site(alpha, signed_in, client):
    everywhere = WalledGardenDomain.objects.create(site=None, domain="www.service-public.fr")
    signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    garden = reverse("portal_content:garden")
    assert 'name="domain"' not in client.get(garden).content.decode()
    assert client.post(garden, {"domain": "example.fr"}).status_code == 403
    assert client.post(reverse("portal_content:garden_delete", kwargs={"pk": everywhere.pk})).status_code == 403

    signed_in(agent_with_role(Role.OPS))
    assert client.post(garden, {"domain": "www.caf.fr"}).status_code == 302
    assert set(WalledGardenDomain.objects.filter(site=None).values_list("domain", flat=True)) == {
        "www.caf.fr",
        "www.service-public.fr",
    }
    assert client.post(reverse("portal_content:garden_delete", kwargs={"pk": everywhere.pk})).status_code == 302
    assert not WalledGardenDomain.objects.filter(pk=everywhere.pk).exists()


# --- The gateway configuration --------------------------------------------------------------------------


@pytest.fixture
def garden(alpha, bravo, settings):
    settings.PORTAL_BASE_URL = "https://portail.example.fr"
    WalledGardenDomain.objects.create(site=alpha, domain="agenda.example.fr")
    WalledGardenDomain.objects.create(site=alpha, domain="*.cdn.example.net")
    WalledGardenDomain.objects.create(site=None, domain="www.service-public.fr")
    WalledGardenDomain.objects.create(site=bravo, domain="bravo.example.org")
    return alpha


def _run(*args) -> str:
    out = io.StringIO()
    call_command("walled_garden", *args, stdout=out)
    return out.getvalue()


def test_plain_is_one_domain_per_line_with_the_portal_itself(garden):
    assert _run("--site", garden.slug, "--format", "plain").splitlines() == [
        "agenda.example.fr",
        "*.cdn.example.net",
        "portail.example.fr",
        "www.service-public.fr",
    ]


def test_opennds_gets_its_uci_lists(garden):
    """openNDS autonomous walled garden: one list of FQDNs (subdomains follow) and HTTPS only."""
    lines = [line.strip() for line in _run("--site", garden.slug, "--format", "opennds").splitlines()]
    assert (
        "list walledgarden_fqdn_list 'agenda.example.fr cdn.example.net portail.example.fr www.service-public.fr'"
        in lines
    )
    assert "list walledgarden_port_list '443'" in lines
    assert not any("bravo" in line for line in lines)


def test_coovachilli_gets_uamallowed_and_uamdomain(garden):
    lines = _run("--site", garden.slug, "--format", "coovachilli").splitlines()
    assert "uamallowed=agenda.example.fr,portail.example.fr,www.service-public.fr" in lines
    assert "uamdomain=.cdn.example.net" in lines


def test_the_portal_host_is_required(garden, settings):
    settings.PORTAL_BASE_URL = ""
    with pytest.raises(CommandError, match="PORTAL_BASE_URL n’est pas renseigné"):
        _run("--site", garden.slug, "--format", "plain")


def test_an_unknown_site_is_an_error(garden):
    with pytest.raises(CommandError, match="Aucun site n’a l’identifiant «\u00a0nowhere\u00a0»"):
        _run("--site", "nowhere")


def test_the_site_page_shows_what_the_gateway_receives(garden, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, garden.mds))
    html = client.get(reverse("portal_content:garden_site", kwargs={"slug": garden.slug})).content.decode()
    assert "portail.example.fr" in html and "www.service-public.fr" in html and "agenda.example.fr" in html
    assert "bravo.example.org" not in html
