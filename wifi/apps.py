from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WifiConfig(AppConfig):
    name = "wifi"
    verbose_name = _("WiFi access points")

    def ready(self):
        from auditlog.registry import auditlog
        from django.core import checks

        from sites import retention
        from sites.navigation import NavEntry, register
        from sites.roles import Role, grant
        from wifi import site_panel
        from wifi.models import AccessPoint, MaintenanceWindow
        from wifi.probes.loading import check_probes

        checks.register(check_probes)

        auditlog.register(AccessPoint, exclude_fields=["updated_at", *_HEALTH_FIELDS])
        auditlog.register(MaintenanceWindow)

        view = ["wifi.view_accesspoint", "wifi.view_incident", "wifi.view_healthsample", "wifi.view_hourlyrollup",
                "wifi.view_maintenancewindow"]  # fmt: skip
        operate = ["wifi.add_accesspoint", "wifi.change_accesspoint", "wifi.add_maintenancewindow",
                   "wifi.change_maintenancewindow", "wifi.delete_maintenancewindow"]  # fmt: skip
        for role in (Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR, Role.MDS_MANAGER, Role.PROGRAMME,
                     Role.FINANCE):  # fmt: skip
            grant(role, *view)
        grant(Role.OPS, *view, *operate)
        grant(Role.ADMIN, *view, *operate, "wifi.delete_accesspoint")

        register(NavEntry(label=_("WiFi"), url_name="wifi:board", permission="wifi.view_accesspoint", order=20))
        register(
            NavEntry(label=_("WiFi inventory"), url_name="wifi:inventory", permission="wifi.view_accesspoint", order=21)
        )
        site_panel.register()

        retention.keep(
            "wifi.HealthSample", date_field="taken_at", days=30,
            purpose="Raw access-point health samples, summarised hourly before they go",
            legal_basis="Maintenance contract follow-up (no personal data)",
        )  # fmt: skip
        retention.keep(
            "wifi.HourlyRollup", date_field="hour", days=730,
            purpose="Availability of the WiFi for the maintenance contract and FEDER indicators",
            legal_basis="Maintenance contract follow-up (no personal data)",
        )  # fmt: skip
        retention.keep(
            "wifi.PollingRound", date_field="started_at", days=30,
            purpose="When each polling round ran, how long it took, and the rounds skipped",
            legal_basis="Maintenance contract follow-up (no personal data)",
        )  # fmt: skip
        retention.keep(
            "wifi.IncidentNotification", date_field="created_at", days=365,
            purpose="Proof of who was alerted of an incident (agents' email addresses)",
            legal_basis="Legitimate interest: service continuity",
        )  # fmt: skip


# Health moves every minute: the audit trail keeps what people change, not what polling measures.
_HEALTH_FIELDS = [
    "health", "health_since", "last_seen_at", "last_polled_at", "last_uptime_seconds", "last_reboot_at",
    "clients_now", "consecutive_failures", "consecutive_successes",
]  # fmt: skip
