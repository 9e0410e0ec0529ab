from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CaptivePortalConfig(AppConfig):
    name = "captive_portal"
    verbose_name = _("Captive portal")

    def ready(self):
        from auditlog.registry import auditlog
        from django.core import checks

        from captive_portal import models, selectors
        from captive_portal.gateways.base import check_gateways
        from mediation import models as mediation_models
        from sites import models as sites_models
        from sites import retention
        from sites.navigation import NavEntry, register
        from sites.roles import PER_MDS_ROLES, Role, grant

        checks.register(check_gateways)

        # Whatever the splash shows: a change makes every cached page stale (signals: cache invalidation only).
        # The workshops block lists the MDS's next sessions: planning, moving or cancelling one (session_save,
        # session_cancel: saves) or retiring a workshop changes it. Registrations do not: no seat count is shown.
        for model in (models.ContentBlock, models.ContentLink, models.TermsVersion, models.SitePortal,
                      sites_models.Site, sites_models.Mds, sites_models.OpeningPeriod, mediation_models.Workshop,
                      mediation_models.WorkshopSession):  # fmt: skip
            post_save.connect(selectors.content_changed, sender=model, dispatch_uid=f"portal-{model.__name__}-save")
            post_delete.connect(selectors.content_changed, sender=model, dispatch_uid=f"portal-{model.__name__}-del")
        for through in (models.ContentBlock.sites.through, sites_models.Mds.services.through):
            m2m_changed.connect(selectors.content_changed, sender=through, dispatch_uid=f"portal-{through.__name__}")

        # Who changed what the public reads, kept in the audit trail like the sites' own records.
        auditlog.register(models.ContentBlock, m2m_fields={"sites"}, exclude_fields=["updated_at"])
        auditlog.register(models.ContentLink)
        auditlog.register(models.WalledGardenDomain)
        auditlog.register(models.SitePortal)
        auditlog.register(models.TermsVersion)
        auditlog.register(models.EgressNetwork)

        # The connection log: its views check the role itself (legal_log.require_officer); the permissions
        # say it in the admin. Statistics carry no personal data.
        grant(Role.LEGAL_REQUISITION, "captive_portal.search_connectionrecord", "captive_portal.view_connectionrecord")
        for role in (Role.MDS_MANAGER, Role.MEDIATOR, Role.PROGRAMME, Role.FINANCE, Role.OPS, Role.ADMIN):
            grant(role, "captive_portal.view_portalstatshourly")

        # Content: per-MDS roles hold these for their own MDS's sites only (sites.backends); "every site"
        # needs a département-wide role (captive_portal.content.ALL_SITES).
        content_view = ("captive_portal.view_contentblock", "captive_portal.view_contentlink",
                        "captive_portal.view_walledgardendomain")  # fmt: skip
        content_edit = tuple(f"captive_portal.{action}_{model}" for model in ("contentblock", "contentlink")
                             for action in ("add", "change", "delete"))  # fmt: skip
        garden_edit = tuple(f"captive_portal.{action}_walledgardendomain" for action in ("add", "change", "delete"))
        for role in PER_MDS_ROLES:
            grant(role, *content_view)
        grant(Role.MEDIATOR, *content_edit)
        grant(Role.MDS_MANAGER, *content_edit, *garden_edit)
        grant(Role.PROGRAMME, *content_view, *content_edit, *garden_edit)
        grant(Role.OPS, *content_view, *garden_edit)
        grant(Role.ADMIN, *content_view, *content_edit, *garden_edit)
        # Where each site's visitors come from (egress networks): ops set them up with the gateway.
        egress = tuple(f"captive_portal.{action}_egressnetwork" for action in ("view", "add", "delete"))
        grant(Role.OPS, *egress)
        grant(Role.ADMIN, *egress)

        register(NavEntry(label=_("Portal statistics"), url_name="portal_stats:stats",
                          permission="captive_portal.view_portalstatshourly", order=30))  # fmt: skip
        register(NavEntry(label=_("Portal content"), url_name="portal_content:blocks",
                          permission="captive_portal.view_contentblock", order=31))  # fmt: skip
        # Site portals: read by the MDS managers (their sites) and département-wide staff; configured in the admin.
        for role in (Role.MDS_MANAGER, Role.PROGRAMME, Role.OPS, Role.ADMIN):
            grant(role, "captive_portal.view_siteportal")
        register(NavEntry(label=_("Site portals"), url_name="portal_sites:list",
                          permission="captive_portal.view_siteportal", order=32))  # fmt: skip
        from captive_portal.legal_log import is_officer

        register(NavEntry(label=_("Connection log"), url_name="portal_log:search", may_open=is_officer, order=90))

        retention.keep(
            "captive_portal.ConnectionRecord", date_field="started_at", days=365,
            purpose="Technical data identifying each WiFi connection (MAC, IP, times), for judicial requisitions",
            legal_basis="CPCE L34-1 II and II bis; R10-13 (décret 2021-1362): one year from the connection",
        )  # fmt: skip
        retention.keep(
            "captive_portal.DeviceHashKey", date_field="month", days=62,
            purpose="Monthly key of the device hashes used for statistics; deleted so old hashes cannot be linked",
            legal_basis="Data minimisation (GDPR art. 5.1.c)",
        )  # fmt: skip
        retention.keep(
            "captive_portal.AcceptClaim", date_field="claimed_at", days=7,
            purpose="Gateway tokens already used, so that a replayed redirect cannot log a connection again",
            legal_basis="Integrity of the connection log (CPCE L34-1); a token outlives no gateway session",
        )  # fmt: skip
        retention.keep(
            "captive_portal.GatewayAuthorisation", date_field="created_at", days=1,
            purpose="Clients accepted at an openNDS gateway, until its authmon has fetched them",
            legal_basis="Operation of the service (no use after delivery)",
        )  # fmt: skip
