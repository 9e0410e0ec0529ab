"""Every back-office page, admin page and email reads in French: no English month, no English phrase.

The pages are those of the project-wide scoping registry (tests/<app>/scoping_pages*.py), each opened by the
first of a few agents who may open it, with each app's realistic data; the admin's list and add pages of every
registered model; the emails the platform sends. A failure names the page and quotes the phrase in context.
"""

import datetime
import io
import re
import socket
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

import sites.notifications
import sites.tasks
from captive_portal import services as log_services
from captive_portal.gateways import Arrival
from sites import two_factor
from sites.roles import Role
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.factories import AgentFactory, MdsFactory, agent_with_role
from tests.french import Finding, english_in, typography_faults, visible_text
from tests.test_backoffice_scoping import APPS
from tests.wifi.factories import AccessPointFactory, IncidentFactory
from wifi import notifications
from wifi.models import ErrorKind, Health, HourlyRollup, Incident, IncidentNotification, Outage, RebootNotification
from wifi.probes import details

pytestmark = pytest.mark.django_db

# What the registry's builders type (names of MDS, sites, people) may be any language: not checked.
NAME = "Saint-Rémy"
MACHINE_TYPES = ("text/csv", "application/json", "text/plain")


def _agents(mds, objects) -> list:
    superuser = agent_with_role(Role.ADMIN, is_superuser=True, is_staff=True, email="admin@departement.test")
    return [
        superuser,
        agent_with_role(Role.OPS, email="ops@departement.test"),
        agent_with_role(Role.MDS_MANAGER, mds, email="responsable@departement.test"),
        *([objects["officer"]] if "officer" in objects else []),
    ]


def _with_probe_failures() -> None:
    """The registry's incidents as the poller leaves them: a cause, the probe's own words, one closed."""
    Incident.objects.update(cause=ErrorKind.REFUSED, detail=details.refused(18102))
    ended = Incident.objects.order_by("pk").first()
    if ended is not None:
        IncidentFactory(
            access_point=ended.access_point, started_at=ended.started_at - datetime.timedelta(days=3),
            ended_at=ended.started_at - datetime.timedelta(days=2, hours=22), cause=ErrorKind.TIMEOUT,
            detail=details.no_answer(2.0, 18102),
        )  # fmt: skip


def _open(client, url, agents, sign_in):
    """The page as the first agent allowed to open it sees it (None when nobody may GET it)."""
    for agent in agents:
        client.logout()
        response = sign_in(client, agent).get(url)
        if response.status_code == 200:
            return response
    return None


def _findings(response, where: str, *, typography: bool = True) -> list:
    if response.get("Content-Type", "").split(";")[0] in MACHINE_TYPES or response.streaming:
        return []
    # "<unknown>": what django-axes stores for a request without a User-Agent (data, not our words).
    html = response.content.decode()
    findings = english_in(html, where=where, allowed=(NAME, "<unknown>"))
    if not typography:
        return findings
    # French typography as the page shows it, sentences assembled from several strings included.
    return findings + [Finding(where, "typography", fault) for fault in typography_faults(visible_text(html))]


def _report(findings) -> str:
    return "English on French pages:\n" + "\n".join(f"  {finding}" for finding in findings)


@pytest.mark.parametrize("app", APPS, ids=[app.build.__module__.rsplit(".", 1)[1] for app in APPS])
def test_every_back_office_page_reads_in_french(app, client):
    from tests.conftest import sign_in

    mds = MdsFactory(name=NAME)
    objects = app.build(mds)
    _with_probe_failures()
    agents = _agents(mds, objects)
    names = [*app.object_pages, *app.list_pages, *app.departement_wide_pages]
    findings, unopened = [], []
    for name in names:
        url = reverse(name, kwargs=app.object_pages[name](objects) if name in app.object_pages else {})
        response = _open(client, url, agents, sign_in)
        if response is None:
            unopened.append(url)
            continue
        findings += _findings(response, url)
    assert findings == [], _report(findings)
    assert len(unopened) < len(names), f"no page could be opened: {unopened}"


def test_sign_in_and_recovery_pages_read_in_french(client):
    findings = []
    for name in ("sites:login", "sites:password_reset", "sites:password_reset_done", "sites:password_reset_complete"):
        url = reverse(name)
        findings += _findings(client.get(url), url)
    assert findings == [], _report(findings)


def test_every_admin_list_and_add_page_reads_in_french(client):
    from tests.conftest import sign_in

    for number, app in enumerate(APPS):
        app.build(MdsFactory(name=f"{NAME} {number}"))
    superuser = agent_with_role(Role.ADMIN, is_superuser=True, is_staff=True, email="admin@departement.test")
    sign_in(client, superuser)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:app_list", kwargs={"app_label": info[0]}))
        if admin.site._registry[model].has_add_permission(type("R", (), {"user": superuser})()):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    findings = []
    for url in dict.fromkeys(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        # Words only: the admin's own templates and Django's French catalogue set "(actuellement : clair)" and
        # "algorithme</strong>: " their way, which is not ours to change.
        found = _findings(response, url, typography=False)
        if url.startswith("/admin/auditlog/"):  # django-auditlog stores an empty old value as the text "None"
            found = [finding for finding in found if finding.phrase != "None"]
        findings += found
    assert findings == [], _report(findings)


def _wifi_alerts() -> list[tuple[str, str, str]]:
    """Subject and body of every WiFi alert: an access point down and back, a site and the network down and back,
    a reboot; each from a realistic outbox row, as the worker composes them."""
    now = timezone.now()
    ap = AccessPointFactory(label="Borne salle d'attente", site__name="Accueil de Saint-Rémy", health=Health.DOWN)
    incident = IncidentFactory(
        access_point=ap, started_at=now - datetime.timedelta(minutes=12), cause=ErrorKind.REFUSED,
        detail=details.refused(18102),
    )  # fmt: skip
    rows = [IncidentNotification.objects.create(incident=incident, event=IncidentNotification.Event.OPENED)]
    incident.ended_at = now
    incident.save()
    rows.append(IncidentNotification.objects.create(incident=incident, event=IncidentNotification.Event.CLOSED))
    for scope, site in ((Outage.Scope.SITE, ap.site), (Outage.Scope.POLLER, None)):
        outage = Outage.objects.create(
            scope=scope, site=site, started_at=now - datetime.timedelta(hours=2), ended_at=now, aps_down=8,
            aps_polled=20,
        )  # fmt: skip
        for event in IncidentNotification.Event:
            rows.append(IncidentNotification.objects.create(outage=outage, event=event))
    reboot = RebootNotification.objects.create(access_point=ap, rebooted_at=now, uptime_seconds=12)
    # As a worker composes them after a task that left another language and time zone active.
    with translation.override("en"), timezone.override(datetime.UTC):
        alerts = [notifications.incident_or_outage_alert(row) for row in rows]
        alerts.append(notifications.reboot_alert(reboot))
    with translation.override("fr"):
        paris = date_format(timezone.localtime(incident.started_at, ZoneInfo("Europe/Paris")), "DATETIME_FORMAT")
    assert paris in alerts[0].body, "the alert gives the time in Paris, in French"
    return [(alert.key, alert.subject, alert.body) for alert in alerts] + [
        (alert.key, "webhook", alert.payload["text"]) for alert in alerts
    ]


def test_every_email_reads_in_french(client, signed_in, monkeypatch, django_capture_on_commit_callbacks):
    """WiFi alerts (down, up, site and network outages, reboot, the webhook's text), the password reset, the
    invitation and the second-factor emails."""
    # Emails queued for the worker are sent here, so that mail.outbox holds them.
    monkeypatch.setattr(sites.tasks.send_email, "delay", lambda **kwargs: sites.notifications.deliver_email(**kwargs))
    ops = agent_with_role(Role.OPS, email="ops@departement.test")
    admin_agent = agent_with_role(Role.ADMIN, is_superuser=True, is_staff=True, email="admin@departement.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sites:password_reset"), {"email": ops.email})
    with django_capture_on_commit_callbacks(execute=True):
        two_factor.totp_device_reset(agent=ops, by=admin_agent, reason="Téléphone perdu")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(admin_agent).post(
            reverse("sites:agent_create"),
            {"email": "nouvelle@departement.test", "first_name": "Camille", "last_name": "Durand", "role": Role.OPS},
        )
    texts = [(", ".join(m.to), m.subject, m.body) for m in mail.outbox]
    assert len(texts) >= 3, [t[1] for t in texts]
    texts += _wifi_alerts()
    allowed = (NAME, "Borne salle d'attente")
    findings = [f for to, subject, body in texts for f in english_in(f"{subject}\n{body}", where=to, html=False,
                                                                     allowed=allowed)]  # fmt: skip
    assert findings == [], _report(findings)
    assert not any("&#x27;" in subject or "&amp;" in subject for _to, subject, _body in texts)
    # French typography survives the subject's one-line folding.
    assert not any(re.search(r" [:;!?]", subject) for _to, subject, _body in texts), [t[1] for t in texts]


def _command(name: str, *args: str) -> str:
    """What ops read after `manage.py name args`: its output, its errors and, when it fails, its message."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except (CommandError, SystemExit) as exc:  # a refusal is reported by an exception: its words count too
        err.write(str(exc))
    text = out.getvalue() + err.getvalue()
    assert text.strip(), f"{name} printed nothing"
    return text


def _connection_log_with_breaks() -> None:
    """Two sites' logs, one edited and cut in SQL: the check prints heads, counts and every kind of break."""
    portal = SitePortalFactory(site__slug="arles", site__name=NAME)
    SitePortalFactory(site__slug="istres", site__name=f"{NAME} 2")
    terms = TermsVersionFactory()
    records = [
        log_services.connection_record_append(
            portal=portal, arrival=Arrival(client_mac=f"02:00:00:00:00:{n:02x}", client_ip=f"10.0.0.{n}"),
            terms_id=terms.pk, language="fr",
        )
        for n in range(1, 6)
    ]  # fmt: skip
    log_services.connection_end(site_id=portal.site_id, client_mac=records[0].client_mac)
    table = "captive_portal_connectionrecord"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET client_ip = '10.9.9.9' WHERE id = %s", [records[1].pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {table} WHERE id IN (%s, %s)", [records[2].pk, records[3].pk])  # noqa: S608
        cursor.execute(f"UPDATE {table} SET ended_at = NULL WHERE id = %s", [records[0].pk])  # noqa: S608


def test_management_commands_report_in_french(tmp_path, settings):
    """Each command's summary, refusals and counts as ops read them after running it: no English phrase, French
    typography, French numbers ("90,00 %") and dates in words. `portal_gateway_config` and `walled_garden`'s
    normal output are gateway configuration files, not prose: only the latter's refusals are read."""
    bad = tmp_path / "bornes.csv"
    bad.write_text("site,label,serial_number\nnowhere,Borne,SN1\n,,\n", encoding="utf-8")
    _connection_log_with_breaks()
    AccessAttempt.objects.create(
        username="ancien@departement.test", ip_address="203.0.113.1", user_agent="t", failures_since_start=1
    )
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(days=400))
    AgentFactory(email="officier@departement.test")
    with socket.socket() as probe:  # a port nothing listens on: the poll is refused, as by a dead access point
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    ap = AccessPointFactory(site__name=NAME, label="Accueil", probe_kind="tcp", probe_port=closed_port,
                            management_address="127.0.0.1")  # fmt: skip
    HourlyRollup.objects.create(
        access_point=ap, hour=timezone.now().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
        - datetime.timedelta(days=20), samples=60, reachable_samples=45,
    )  # fmt: skip
    settings.PORTAL_BASE_URL = ""
    outputs = {
        "import_aps": _command("import_aps", str(bad)),
        "verify_connection_log": _command("verify_connection_log"),
        "verify_connection_log --site": _command("verify_connection_log", "--site", "nulle-part"),
        "purge_personal_data --dry-run": _command("purge_personal_data", "--dry-run"),
        "purge_personal_data": _command("purge_personal_data"),
        "grant_requisition": _command(
            "grant_requisition", "officier@departement.test", "--by", "C. Martin", "--reason", "PV 2026-12"
        ),
        "grant_admin (unknown)": _command("grant_admin", "personne@departement.test", "--by", "DSI", "--reason", "x"),
        "grant_superuser (no reason)": _command(
            "grant_superuser", "officier@departement.test", "--by", "DSI", "--reason", " "
        ),
        "walled_garden (unknown site)": _command("walled_garden", "--site", "nulle-part"),
        "walled_garden (no portal host)": _command("walled_garden", "--site", ap.site.slug),
        "wifi_report": _command("wifi_report"),
        "wifi_report --month": _command("wifi_report", "--month", "2026/02"),
        "poll_aps": _command("poll_aps", "--timeout", "0.3", "--retries", "0"),
        "poll_aps --ap": _command("poll_aps", "--ap", "SN-INCONNU"),
    }
    allowed = (str(bad), NAME, "C. Martin", "<unknown>")
    findings = [finding for name, text in outputs.items()
                for finding in english_in(text, where=name, html=False, allowed=allowed)]  # fmt: skip
    assert findings == [], _report(findings)
    faults = [(name, fault) for name, text in outputs.items() for fault in typography_faults(text)]
    assert faults == [], faults
    everything = "\n".join(outputs.values())
    assert not re.search(r"\bline \d", everything)
    assert not re.search(r"\b\d+\.\d+\b(?! ?\.\d)", everything.replace("127.0.0.1", "")), "English decimal point"
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", everything), "ISO date in prose"
    # The kinds of break, counted with their plural; the figures as French writes them.
    assert "RUPTURE" in outputs["verify_connection_log"] and "2 enregistrements manquent avant lui" in everything
    assert "Le journal des connexions est rompu à 3 endroits." in outputs["verify_connection_log"]
    assert "1 ligne serait supprimée" in outputs["purge_personal_data --dry-run"]
    assert "75,00\u00a0%" in outputs["wifi_report"] and "Connexion refusée" in outputs["poll_aps"]
