"""Every back-office form that refuses a submission shows the page again with what the agent typed still in the
inputs, and the French message next to the refused field (aria-invalid, aria-describedby naming the message).

One case per form page; a new form page adds its case here."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from sites.roles import Role
from tests.captive_portal.factories import ContentBlockFactory, SitePortalFactory
from tests.factories import AgentFactory, MdsFactory, SiteFactory, ZoneFactory, agent_with_role
from tests.platform.forms_page import FormPage
from tests.wifi.factories import AccessPointFactory, IncidentFactory, MaintenanceWindowFactory
from tests.wifi.test_inventory_pages import _ap_form
from wifi.forms import LifecycleMoveForm

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    agent: object  # None: a page one opens before signing in
    url: str
    data: dict
    kept: dict  # control name → what it must still hold
    refused: str  # the control the message belongs to ("": the form's own message, not one field's)
    message: str  # part of the French message
    files: dict = field(default_factory=dict)
    says: str = ""  # a sentence the page must show besides (a file input cannot keep its file)
    method: str = "post"  # filter forms are GET


def _site():
    return SiteFactory(mds=MdsFactory(name="MDS Arles", phone=""), name="Arles centre", slug="arles")


def _tomorrow(hour: int) -> str:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def mds_edit():
    site = _site()
    data = {"kind": "", "commune": "Arles", "phone": "04 13 31 ab", "email": "mds.arles@departement.test",
            "opening_periods-TOTAL_FORMS": "1", "opening_periods-INITIAL_FORMS": "0",
            "opening_periods-0-weekday": "2", "opening_periods-0-opens": "08:30",
            "opening_periods-0-closes": "12:00"}  # fmt: skip
    kept = {"phone": "04 13 31 ab", "email": "mds.arles@departement.test", "commune": "Arles",
            "opening_periods-0-opens": "08:30", "opening_periods-0-weekday": ["2"]}  # fmt: skip
    return Case(
        agent_with_role(Role.MDS_MANAGER, site.mds), reverse("sites:mds_edit", args=[site.mds.slug]), data, kept,
        "phone", "Un numéro de téléphone ne contient que des chiffres",
    )  # fmt: skip


def site_edit():
    site = _site()
    data = {"name": "MDS Arles — centre", "street": "5 rue du Docteur Fanton", "postal_code": "2A004",
            "commune": "Arles", "latitude": "43.67", "longitude": "4.63",
            "access_notes": "Entrée côté parking"}  # fmt: skip
    return Case(
        agent_with_role(Role.MDS_MANAGER, site.mds), reverse("sites:site_edit", args=[site.slug]), data,
        {key: value for key, value in data.items() if key not in ("latitude", "longitude")},
        "postal_code", "Les codes postaux corses commencent par 20",
    )  # fmt: skip


def site_edit_postal_code_length():
    site = _site()
    data = {"name": "Arles centre", "street": "5 rue Test", "postal_code": "1320", "commune": "Arles"}
    return Case(
        agent_with_role(Role.MDS_MANAGER, site.mds), reverse("sites:site_edit", args=[site.slug]), data, data,
        "postal_code", "Un code postal a 5 chiffres, par exemple 13001.",
    )  # fmt: skip


def zone_create():
    site = _site()
    ZoneFactory(site=site, name="Salle d'attente")
    data = {"kind": "waiting_room", "name": "SALLE D'ATTENTE", "floor": "RDC", "notes": "Près de l'accueil"}
    return Case(
        agent_with_role(Role.MDS_MANAGER, site.mds), reverse("sites:zone_create", args=[site.slug]), data,
        {"name": "SALLE D'ATTENTE", "floor": "RDC", "notes": "Près de l'accueil", "kind": ["waiting_room"]},
        "name", "Ce site a déjà une zone portant ce nom.",
    )  # fmt: skip


def zone_edit():
    site = _site()
    ZoneFactory(site=site, name="Salle d'attente")
    zone = ZoneFactory(site=site, name="Bureau 2")
    data = {"kind": "permanence_office", "name": "salle d'attente", "floor": "1er", "notes": "Porte bleue"}
    return Case(
        agent_with_role(Role.MDS_MANAGER, site.mds), reverse("sites:zone_edit", args=[zone.pk]), data,
        {"name": "salle d'attente", "floor": "1er", "notes": "Porte bleue", "kind": ["permanence_office"]},
        "name", "Ce site a déjà une zone portant ce nom.",
    )  # fmt: skip


def _ap_data(**overrides):
    # The inventory tests' valid access point, with a MAC address that cannot be one.
    return _ap_form(mac_address="F0-9F-C2-00-00-ZZ", notes="Au-dessus de l'accueil") | overrides


def ap_create():
    site = _site()
    data = _ap_data()
    kept = {key: data[key] for key in ("label", "vendor", "hardware_model", "serial_number", "mac_address",
                                       "management_address", "probe_port", "probe_settings", "notes")}  # fmt: skip
    return Case(
        agent_with_role(Role.OPS), reverse("wifi:ap_create", args=[site.slug]), data, kept,
        "mac_address", "MAC",
    )  # fmt: skip


def ap_edit():
    ap = AccessPointFactory(site=_site(), label="Ancien nom")
    data = _ap_data(label="Nouveau nom", mac_address="F0:9F:C2:00:00")
    return Case(
        agent_with_role(Role.OPS), reverse("wifi:ap_edit", args=[ap.pk]), data,
        {"label": "Nouveau nom", "mac_address": "F0:9F:C2:00:00", "notes": "Au-dessus de l'accueil"},
        "mac_address", "MAC",
    )  # fmt: skip


def maintenance_create():
    site = _site()
    data = {"site": site.pk, "access_point": "", "starts_at": _tomorrow(14), "ends_at": _tomorrow(9),
            "reason": "Coupure électrique"}  # fmt: skip
    return Case(
        agent_with_role(Role.OPS), reverse("wifi:maintenance_create"), data,
        {"site": [str(site.pk)], "starts_at": _tomorrow(14), "ends_at": _tomorrow(9), "reason": "Coupure électrique"},
        "ends_at", "La fin doit être postérieure au début.",
    )  # fmt: skip


def maintenance_edit():
    window = MaintenanceWindowFactory(site=_site())
    data = {"site": window.site.pk, "access_point": "", "starts_at": _tomorrow(16), "ends_at": _tomorrow(10),
            "reason": "Travaux de câblage"}  # fmt: skip
    return Case(
        agent_with_role(Role.OPS), reverse("wifi:maintenance_edit", args=[window.pk]), data,
        {"starts_at": _tomorrow(16), "ends_at": _tomorrow(10), "reason": "Travaux de câblage"},
        "ends_at", "La fin doit être postérieure au début.",
    )  # fmt: skip


def incident_comment():
    incident = IncidentFactory(access_point=AccessPointFactory(site=_site()))
    body = "Prestataire appelé. " * 120  # over the 2,000 characters a comment holds
    return Case(
        agent_with_role(Role.OPS), reverse("wifi:incident_comment", args=[incident.pk]), {"body": body},
        {"body": body}, "body", "2000 caractères",
    )  # fmt: skip


def snooze():
    ap = AccessPointFactory(site=_site())
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    until = f"{yesterday:%Y-%m-%dT%H}:00"
    return Case(
        agent_with_role(Role.OPS), reverse("wifi:ap_snooze", args=[ap.pk]), {"choice": "until", "until": until},
        {"until": until, "choice": "until"}, "until", "Cette date est déjà passée.",
    )  # fmt: skip


def block_create():
    site = _site()
    data = {"kind": "news", "language": "fr", "title": "", "body": "Atelier CV jeudi à 14 h, salle 2.",
            "order": "10", "published": "on", "starts_on": "", "ends_on": "", "image_alt": "Affiche de l'atelier",
            "sites": [site.pk], "links-TOTAL_FORMS": "1", "links-INITIAL_FORMS": "0", "links-MIN_NUM_FORMS": "0",
            "links-MAX_NUM_FORMS": "1000", "links-0-label": "S'inscrire",
            "links-0-url": "https://www.example.org/atelier"}  # fmt: skip
    kept = {"body": data["body"], "image_alt": data["image_alt"], "order": "10", "links-0-label": "S'inscrire",
            "links-0-url": "https://www.example.org/atelier", "kind": ["news"]}  # fmt: skip
    return Case(
        agent_with_role(Role.MDS_MANAGER, site.mds), reverse("portal_content:block_create"), data, kept,
        "title", "Ce champ est obligatoire",
    )  # fmt: skip


def block_edit():
    site = _site()
    block = ContentBlockFactory(title="Ancien titre")
    block.sites.set([site])
    data = {"kind": "news", "language": "fr", "title": "Nouveau titre", "body": "Texte modifié.", "order": "x",
            "published": "on", "starts_on": "", "ends_on": "", "image_alt": "", "sites": [site.pk],
            "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0", "links-MIN_NUM_FORMS": "0",
            "links-MAX_NUM_FORMS": "1000"}  # fmt: skip
    return Case(
        agent_with_role(Role.MDS_MANAGER, site.mds), reverse("portal_content:block_edit", args=[block.pk]), data,
        {"title": "Nouveau titre", "body": "Texte modifié.", "order": "x"}, "order", "nombre entier",
    )  # fmt: skip


def garden_site():
    site = _site()
    data = {"domain": "pas un domaine !", "note": "Carte des MDS"}
    return Case(
        agent_with_role(Role.OPS), reverse("portal_content:garden_site", args=[site.slug]), data, data,
        "domain", "domaine",
    )  # fmt: skip


def egress_network():
    portal = SitePortalFactory(site=_site())
    data = {"network": "10.20.300.0/24", "note": "Box de secours"}
    return Case(
        agent_with_role(Role.OPS), reverse("portal_content:site_portal", args=[portal.site.slug]), data, data,
        "network", "adresse",
    )  # fmt: skip


def log_search():
    data = {"reference": "PV 2026/1234 — TJ Marseille", "reason": "Identifier l'appareil de 10.20.0.5",
            "starts_at": "2026-11-20T10:00", "ends_at": "2026-11-19T10:00", "mac": "", "ip": "10.20.0.5",
            "site": ""}  # fmt: skip
    return Case(
        agent_with_role(Role.LEGAL_REQUISITION), reverse("portal_log:search"), data,
        {key: data[key] for key in ("reference", "reason", "starts_at", "ends_at", "ip")},
        "ends_at", "La fin doit être postérieure au début.",
    )  # fmt: skip


def inventory_import(settings):
    settings.WIFI_IMPORT_MAX_BYTES = 10
    upload = SimpleUploadedFile("bornes.csv", b"site;label;serial_number\narles;A;SN-1\n", content_type="text/csv")
    return Case(
        agent_with_role(Role.OPS), reverse("wifi:inventory_import"), {"partial": "on"}, {"partial": True},
        "file", "trop volumineux", files={"file": upload}, says="choisissez de nouveau le fichier",
    )  # fmt: skip


def agent_create():
    mds = MdsFactory()
    data = {"email": "ines.martin@", "first_name": "Inès", "last_name": "Martin", "role": "reception", "mds": mds.pk}
    return Case(
        agent_with_role(Role.ADMIN), reverse("sites:agent_create"), data,
        {"email": "ines.martin@", "first_name": "Inès", "last_name": "Martin", "role": ["reception"],
         "mds": [str(mds.pk)]},
        "email", "Saisissez une adresse de courriel valide.",
    )  # fmt: skip


def agent_edit():
    agent = AgentFactory(first_name="Inès", last_name="Martin")
    data = {"first_name": "Inès-Marie", "last_name": "Martin-Durand", "email": "pas une adresse"}
    return Case(
        agent_with_role(Role.ADMIN), reverse("sites:agent_edit", args=[agent.pk]), data, data,
        "email", "Saisissez une adresse de courriel valide.",
    )  # fmt: skip


def ap_lifecycle():
    ap = AccessPointFactory(site=_site())
    day = timezone.localdate() + datetime.timedelta(days=3)
    to = next(iter(LifecycleMoveForm(access_point=ap).fields["to"].choices))[0]
    return Case(
        agent_with_role(Role.OPS), reverse("wifi:ap_lifecycle", args=[ap.pk]), {"to": to, "on": f"{day:%Y-%m-%d}"},
        {"to": [to], "on": f"{day:%Y-%m-%d}"}, "on", "Cette date est dans le futur",
    )  # fmt: skip


def membership_grant():
    agent = AgentFactory()
    return Case(
        agent_with_role(Role.ADMIN), reverse("sites:membership_grant", args=[agent.pk]), {"role": "reception"},
        {"role": ["reception"]}, "mds", "Choisissez la MDS",
    )  # fmt: skip


def password_change():
    agent = AgentFactory()
    data = {"old_password": "pas le bon", "new_password1": "une phrase de passe longue", "new_password2": "autre"}
    # Passwords are given back empty on purpose (never written into a page); the message still says why.
    return Case(agent, reverse("sites:password_change"), data, {"old_password": ""}, "old_password", "incorrect")


def privilege_request():
    admin = agent_with_role(Role.ADMIN, is_staff=True)
    data = {"agent": "", "privilege": "", "reason": "Ticket 1234 : renfort de l'astreinte"}
    return Case(
        admin, reverse("sites:privilege_grants"), data, {"reason": data["reason"]}, "agent",
        "Ce champ est obligatoire",
    )  # fmt: skip


def mds_admin():
    site = _site()
    admin = AgentFactory(is_staff=True, is_superuser=True)
    data = {"number": site.mds.number, "name": "MDS Arles", "slug": site.mds.slug, "kind": "", "commune": "Arles",
            "phone": "06 12", "email": "", "notes": "Accueil au rez-de-chaussée",
            "opening_periods-TOTAL_FORMS": "0", "opening_periods-INITIAL_FORMS": "0",
            "opening_periods-MIN_NUM_FORMS": "0", "opening_periods-MAX_NUM_FORMS": "1000"}  # fmt: skip
    return Case(
        admin, reverse("admin:mds_sites_mds_change", args=[site.mds.pk]), data,
        {"phone": "06 12", "commune": "Arles", "notes": "Accueil au rez-de-chaussée"}, "phone",
        "Ce numéro de téléphone n’existe pas en France",
    )  # fmt: skip


def ops_team_admin():
    data = {"name": "Astreinte Marseille", "webhook_url": "gopher://chat.departement.test/hooks/abc",
            "webhook_secret_name": "", "webhook_active": "on"}  # fmt: skip
    return Case(
        AgentFactory(is_staff=True, is_superuser=True), reverse("admin:wifi_opsteam_add"), data,
        {"name": "Astreinte Marseille", "webhook_url": data["webhook_url"], "webhook_active": True},
        "webhook_url", "http://",
    )  # fmt: skip


def stats_period():
    data = {"first_day": "2026-11-20", "last_day": "2026-11-10", "site": ""}
    return Case(
        agent_with_role(Role.PROGRAMME), reverse("portal_stats:stats"), data,
        {"first_day": "2026-11-20", "last_day": "2026-11-10"}, "last_day", "La période doit",
        method="get",
    )  # fmt: skip


def login():
    AgentFactory(email="ines.martin@departement.test")
    data = {"username": "ines.martin@departement.test", "password": "pas le bon"}
    # The message belongs to the form (saying which of the two is wrong would tell who has an account).
    return Case(
        None, reverse("sites:login"), data, {"username": data["username"], "password": ""}, "",
        "Adresse e-mail ou mot de passe incorrect",
    )  # fmt: skip


def password_reset():
    data = {"email": "ines.martin@departement"}
    return Case(None, reverse("sites:password_reset"), data, data, "email", "Saisissez une adresse de courriel valide.")


def contact():
    """The public contact form (accueil): a phone number that does not exist, in French."""
    from tests.accueil.contact import valid_post

    mds = MdsFactory(name="MDS Arles")
    data = valid_post(mds, phone="04 13 31 ab", email="", callback_channels=["phone", "sms"])
    kept = {"last_name": "Benali", "phone": "04 13 31 ab", "mds": [str(mds.pk)], "callback_channels": ["phone", "sms"],
            "message": "Je cherche un logement.", "notice": True}  # fmt: skip
    return Case(None, reverse("accueil_public:contact"), data, kept, "phone", "Un numéro de téléphone ne contient que")


def workshop_registration():
    """The workshops' public registration (mediation): a phone number that does not exist, in French."""
    from tests.mediation.public import arles_session, registration_post

    session = arles_session()
    data = registration_post(phone="04 13 31 ab", email="nadia@example.org")
    kept = {"first_name": "Nadia", "phone": "04 13 31 ab", "email": "nadia@example.org", "consent": True}
    url = reverse("mediation_public:session", args=[session.pk])
    return Case(None, url, data, kept, "phone", "Un numéro de téléphone ne contient que")


FORMS: dict[str, Callable[[], Case]] = {
    function.__name__: function
    for function in (
        mds_edit, site_edit, site_edit_postal_code_length, zone_create, zone_edit, ap_create, ap_edit,
        maintenance_create, maintenance_edit, incident_comment, snooze, block_create, block_edit, garden_site,
        egress_network, log_search, inventory_import, ap_lifecycle, agent_create, agent_edit, membership_grant,
        password_change, privilege_request, mds_admin, ops_team_admin, stats_period, login, password_reset,
        contact, workshop_registration,
    )
}  # fmt: skip


@pytest.mark.parametrize("form", FORMS)
def test_a_refused_form_keeps_what_was_typed_and_says_why_next_to_the_field(form, signed_in, client, settings):
    make = FORMS[form]
    case = make(settings) if "settings" in make.__code__.co_varnames else make()
    client = signed_in(case.agent) if case.agent else client
    with translation.override("fr"):
        send = client.get if case.method == "get" else client.post
        response = send(case.url, case.data | case.files, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200, f"{case.url} answered {response.status_code} instead of showing the form"
    page = FormPage(response.content.decode())
    for name, typed in case.kept.items():
        assert page.value(name) == typed, f"{name}: typed {typed!r}, shown {page.value(name)!r}"
    if not case.refused:
        assert case.message in " ".join(response.content.decode().split())
        return
    refused = page.control(case.refused)
    assert refused.attrs.get("aria-invalid") == "true"
    assert case.says in " ".join(response.content.decode().split())
    message = page.described_by(case.refused)
    assert case.message in message, f"{case.refused} is described by {message!r}"


def test_the_import_report_keeps_the_partial_box_as_the_agent_ticked_it(signed_in):
    """After a report, the form to check the file again keeps "import the valid lines" ticked."""
    _site()
    upload = SimpleUploadedFile("bornes.csv", b"site;label;serial_number\narles;A;SN-1\nlyon;B;SN-2\n")
    response = signed_in(agent_with_role(Role.OPS)).post(
        reverse("wifi:inventory_import"), {"file": upload, "partial": "on"}
    )
    assert response.status_code == 200 and response.context["report"].errors == 1
    assert FormPage(response.content.decode()).value("partial") is True
