"""Gateways are named by dotted path in PORTAL_GATEWAYS: a new one needs its class and a line of settings, nothing
else; its class validates its options; a bad path or an unconfigured kind is refused clearly."""

import re

import pytest
from django import forms
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy

from captive_portal.gateways import Arrival, Authorisation, Gateway, GatewayError, SetupInstructions, for_portal
from captive_portal.gateways.base import check_gateways, gateway_classes
from captive_portal.models import ConnectionRecord, PortalRejection
from sites.roles import Role
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.factories import AgentFactory, agent_with_role

pytestmark = pytest.mark.django_db

PATH = "tests.captive_portal.test_gateway_registry.BadgeGateway"


class BadgeOptions(forms.Form):
    reader = forms.CharField(max_length=8)  # required: a badge gateway without its reader's name is unusable
    secret_name = forms.CharField(required=False)


class BadgeGateway(Gateway):
    """A gateway that exists only here: its redirect names the device, its reader lets it through."""

    label = gettext_lazy("Badge reader (tests)")
    options_form = BadgeOptions
    signed_redirect = True

    def arrival(self, request) -> Arrival:
        mac = request.GET.get("badge", "")
        if not mac:
            raise GatewayError("bad_client_mac", "no badge")
        return Arrival(client_mac=mac, client_ip="10.9.0.7", token=f"badge:{mac}", state={"reader": "seen"})

    def authorise(self, *, arrival: Arrival, minutes: int) -> Authorisation:
        if arrival.state.get("reader") != "seen":
            raise GatewayError("bad_state", "not from a badge redirect")
        return Authorisation(browser_url=None)

    def setup_instructions(self, *, origin: str) -> SetupInstructions:
        return SetupInstructions(settings=[("badge-reader", self.options["reader"])])


@pytest.fixture
def badge(settings):
    settings.PORTAL_GATEWAYS = {**settings.PORTAL_GATEWAYS, "badge": PATH}
    TermsVersionFactory(language="fr")
    return SitePortalFactory(site__slug="arles", gateway_kind="badge", gateway_options={"reader": "hall"})


def _field(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def test_a_gateway_named_in_settings_lets_a_visitor_in_through_the_accept_flow(client, badge):
    """Its class reads the redirect and authorises: the visitor lands on the connected page, the log holds it."""
    html = client.get("/portal/arles/", {"badge": "aa:bb:cc:dd:ee:77"}).content.decode()
    form = {"state": _field(html, "state"), "terms": _field(html, "terms"), "lang": "fr"}

    response = client.post("/portal/arles/accept/", form)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("captive_portal:connected", kwargs={"slug": "arles"}))
    record = ConnectionRecord.objects.get()
    assert (record.gateway_kind, record.client_mac, record.client_ip) == ("badge", "aa:bb:cc:dd:ee:77", "10.9.0.7")
    assert client.post("/portal/arles/accept/", form).status_code == 400  # the same visit, replayed
    assert ConnectionRecord.objects.count() == 1


def test_its_setup_instructions_and_label_show_on_the_back_office_page(signed_in, badge):
    """Ops read the class's label and what to set on the reader, with no template naming the kind."""
    page = signed_in(agent_with_role(Role.OPS)).get(reverse("portal_sites:detail", args=["arles"])).content.decode()
    assert "Badge reader (tests)" in page
    assert "<code>badge-reader</code>" in page and "<code>hall</code>" in page


def test_its_options_are_validated_by_its_class_in_the_admin_with_a_french_message(signed_in, badge):
    """A reader name too long for the class: the admin says why in French and saves nothing."""
    client = signed_in(AgentFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:captive_portal_siteportal_change", args=[badge.pk])
    form = {"site": badge.site.pk, "enabled": "on", "gateway_kind": "badge", "session_minutes": 480}

    response = client.post(url, {**form, "reader": "entrance-hall-east"})

    assert response.status_code == 200
    assert "comporte au plus 8 caractères" in response.content.decode()
    badge.refresh_from_db()
    assert badge.gateway_options == {"reader": "hall"}

    response = client.post(url, {**form, "reader": "", "controller_url": "https://unifi.example:8443"})
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.content.decode()

    assert client.post(url, {**form, "reader": "east"}).status_code == 302
    badge.refresh_from_db()
    assert badge.gateway_options == {"reader": "east", "secret_name": ""}  # another gateway's option is not kept


def test_a_builtin_gateway_option_is_checked_by_its_class_in_the_admin(signed_in):
    """openNDS level 3 refuses source networks that guard nothing: French message, nothing saved."""
    portal = SitePortalFactory(gateway_kind="opennds_3", gateway_name="MDS Arles")
    client = signed_in(AgentFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:captive_portal_siteportal_change", args=[portal.pk])
    form = {"site": portal.site.pk, "enabled": "on", "gateway_kind": "opennds_3", "session_minutes": 480}
    response = client.post(url, {**form, "gateway_name": "MDS Arles", "gateway_networks": "0.0.0.0/0"})
    assert response.status_code == 200
    assert "ne protège rien" in response.content.decode()
    portal.refresh_from_db()
    assert portal.gateway_options == {"gateway_name": "MDS Arles"}


def test_saving_outside_a_form_checks_the_options_too(badge):
    """The service path (full_clean) names the bad option in the message."""
    badge.gateway_options = {"reader": "x" * 20}
    with pytest.raises(ValidationError) as error:
        badge.full_clean()
    assert "reader" in str(error.value.message_dict["gateway_options"])


def test_a_kind_missing_from_settings_is_refused(badge, settings, client, signed_in):
    """A stored kind no longer configured: not valid on save, its splash refuses visitors, its page says why."""
    settings.PORTAL_GATEWAYS = {kind: path for kind, path in settings.PORTAL_GATEWAYS.items() if kind != "badge"}
    with pytest.raises(ValidationError) as error:
        badge.full_clean()
    assert "gateway_kind" in error.value.message_dict
    with pytest.raises(GatewayError):
        for_portal(badge)
    assert client.get("/portal/arles/", {"badge": "aa:bb:cc:dd:ee:77"}).status_code == 400
    assert list(PortalRejection.objects.values_list("reason", flat=True)) == ["unknown_gateway"]
    page = signed_in(agent_with_role(Role.OPS)).get(reverse("portal_sites:detail", args=["arles"])).content.decode()
    assert "La passerelle &#x27;badge&#x27; n’est pas dans PORTAL_GATEWAYS." in page


@pytest.mark.parametrize(
    ("path", "says"),
    [("tests.captive_portal.test_gateway_registry.NoSuchGateway", "cannot be imported"),
     ("tests.captive_portal.test_gateway_registry.BadgeOptions", "is not a subclass of captive_portal")],
)  # fmt: skip
def test_a_bad_dotted_path_is_a_clear_error(settings, path, says):
    """Loading names the entry and what is wrong with it; `manage.py check` reports it instead of crashing."""
    settings.PORTAL_GATEWAYS = {**settings.PORTAL_GATEWAYS, "radius": path}
    with pytest.raises(ImproperlyConfigured, match=rf"PORTAL_GATEWAYS\['radius'\].*{says}"):
        gateway_classes()
    [error] = check_gateways()
    assert error.id == "captive_portal.E001" and says in error.msg and error.level == checks.ERROR
    assert error.hint == "Fix settings.PORTAL_GATEWAYS."  # manage.py check tells ops where to look


def test_the_configured_gateways_pass_the_system_check():
    assert check_gateways() == []


class NamelessGateway(BadgeGateway):
    label = None


class ClashingOptions(BadgeOptions):
    session_minutes = forms.IntegerField()  # a SitePortal field of the same name: the admin form would mix them
    site = forms.CharField()


class ClashingGateway(BadgeGateway):
    options_form = ClashingOptions


def test_the_system_check_refuses_a_gateway_without_a_label(settings):
    """Ops choose a gateway by its label in the admin: a class without one is named by `manage.py check`."""
    settings.PORTAL_GATEWAYS = {**settings.PORTAL_GATEWAYS, "nameless": f"{__name__}.NamelessGateway"}
    [error] = check_gateways()
    assert (error.id, error.level) == ("captive_portal.E002", checks.ERROR)
    assert error.msg == "PORTAL_GATEWAYS['nameless']: NamelessGateway has no label."


def test_the_system_check_refuses_options_named_like_a_portal_field(settings):
    settings.PORTAL_GATEWAYS = {**settings.PORTAL_GATEWAYS, "clash": f"{__name__}.ClashingGateway"}
    [error] = check_gateways()
    assert (error.id, error.level) == ("captive_portal.E003", checks.ERROR)
    assert error.msg.startswith("PORTAL_GATEWAYS['clash']: options session_minutes, site of ClashingGateway have ")
    assert error.msg.endswith(" SitePortal field: the admin could not tell them apart.")


@pytest.mark.parametrize(
    ("current", "offered"),
    [("", ["", "arles-gw", "other-gw"]), ("arles-gw", ["", "arles-gw", "other-gw"]),
     ("gone-gw", ["", "arles-gw", "other-gw", "gone-gw"])],
    ids=["none-chosen", "a-configured-set", "a-set-gone-from-the-environment"],
)  # fmt: skip
def test_the_secret_set_list_offers_the_configured_names_and_keeps_a_missing_one(settings, current, offered):
    """A set removed from PORTAL_GATEWAY_SECRETS stays selected (the setup page says it is missing), never blanked."""
    from captive_portal.gateways.base import SecretSetSelect

    settings.PORTAL_GATEWAY_SECRETS = {"other-gw": {"faskey": "k"}, "arles-gw": {"faskey": "k"}}
    html = SecretSetSelect().render("secret_name", current, attrs={"id": "id_secret_name"})
    assert re.findall(r'<option value="([^"]*)"', html) == offered
    assert re.search(r'<option value=""( selected)?>—</option>', html)
    assert 'name="secret_name"' in html and 'id="id_secret_name"' in html
    assert re.findall(r'<option value="([^"]*)" selected', html) == [current]
