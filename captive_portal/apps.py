from datetime import timedelta

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CaptivePortalConfig(AppConfig):
    name = "captive_portal"
    verbose_name = _("Captive portal")

    def ready(self):
        from captive_portal import models, selectors
        from sites import models as sites_models
        from sites import retention

        # Whatever the splash shows: a change makes every cached page stale (signals: cache invalidation only).
        for model in (models.ContentBlock, models.ContentLink, models.TermsVersion, models.SitePortal,
                      sites_models.Site, sites_models.Mds, sites_models.OpeningPeriod):  # fmt: skip
            post_save.connect(selectors.content_changed, sender=model, dispatch_uid=f"portal-{model.__name__}-save")
            post_delete.connect(selectors.content_changed, sender=model, dispatch_uid=f"portal-{model.__name__}-del")
        for through in (models.ContentBlock.sites.through, sites_models.Mds.services.through):
            m2m_changed.connect(selectors.content_changed, sender=through, dispatch_uid=f"portal-{through.__name__}")

        retention.register(
            retention.RetentionRule(
                model="captive_portal.ConnectionRecord", date_field="started_at", keep=timedelta(days=365),
                purpose="Technical data identifying each WiFi connection (MAC, IP, times), for judicial requisitions",
                legal_basis="CPCE L34-1 II and II bis; R10-13 (décret 2021-1362): one year from the connection",
            )
        )  # fmt: skip
        retention.register(
            retention.RetentionRule(
                model="captive_portal.DeviceHashKey", date_field="month", keep=timedelta(days=62),
                purpose="Monthly key of the device hashes used for statistics; deleted so old hashes cannot be linked",
                legal_basis="Data minimisation (GDPR art. 5.1.c)",
            )
        )  # fmt: skip
