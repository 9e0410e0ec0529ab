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
        from wifi.models import (
            AccessPoint,
            AlertPreference,
            Incident,
            IncidentComment,
            InventoryImport,
            MaintenanceWindow,
            OpsTeam,
        )  # fmt: skip
        from wifi.probes.loading import check_probes

        checks.register(check_probes)

        auditlog.register(AccessPoint, exclude_fields=["updated_at", *_HEALTH_FIELDS])
        auditlog.register(MaintenanceWindow)
        # One entry per CSV import, with its counts; the list of serials stays on the row, not in the entry.
        auditlog.register(InventoryImport, exclude_fields=["changes"])
        auditlog.register(AlertPreference)
        auditlog.register(OpsTeam, m2m_fields={"members"}, exclude_fields=_WEBHOOK_HEALTH_FIELDS)
        # Polling writes incidents in bulk (no audit); what people do to them is kept.
        auditlog.register(Incident, include_fields=["acknowledged_at", "acknowledged_by", "assigned_to", "planned"])
        auditlog.register(IncidentComment)

        view = ["wifi.view_accesspoint", "wifi.view_incident", "wifi.view_healthsample", "wifi.view_hourlyrollup",
                "wifi.view_maintenancewindow", "wifi.view_incidentcomment"]  # fmt: skip
        operate = ["wifi.add_accesspoint", "wifi.change_accesspoint", "wifi.add_maintenancewindow",
                   "wifi.change_maintenancewindow", "wifi.delete_maintenancewindow",
                   # Working incidents: acknowledge, assign, comment (wifi/incidents.py).
                   "wifi.change_incident", "wifi.add_incidentcomment"]  # fmt: skip
        for role in (Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR, Role.MDS_MANAGER, Role.PROGRAMME,
                     Role.FINANCE):  # fmt: skip
            grant(role, *view)
        grant(Role.OPS, *view, *operate)
        grant(Role.ADMIN, *view, *operate, "wifi.delete_accesspoint")
        # Each ops agent chooses their own alerts ("Mes notifications"); admins run the teams and their webhooks.
        grant(Role.OPS, "wifi.change_alertpreference")
        grant(Role.ADMIN, "wifi.change_alertpreference", "wifi.view_opsteam", "wifi.add_opsteam",
              "wifi.change_opsteam", "wifi.delete_opsteam", "wifi.view_webhookdelivery",
              "wifi.view_webhookattempt")  # fmt: skip

        register(NavEntry(label=_("WiFi"), url_name="wifi:board", permission="wifi.view_accesspoint", order=20))
        register(
            NavEntry(label=_("WiFi inventory"), url_name="wifi:inventory", permission="wifi.view_accesspoint", order=21)
        )
        register(
            NavEntry(label=_("My notifications"), url_name="wifi:my_notifications",
                     permission="wifi.change_alertpreference", order=22)
        )  # fmt: skip
        site_panel.register()

        retention.keep(
            "wifi.HealthSample", date_field="taken_at", days=30,
            purpose="Raw access-point health samples, summarised hourly before they go",
            legal_basis="Maintenance contract follow-up (no personal data)", by_id_ranges=True,
        )  # fmt: skip
        retention.keep(
            "wifi.HourlyRollup", date_field="hour", days=730,
            purpose="Availability of the WiFi for the maintenance contract and FEDER indicators",
            legal_basis="Maintenance contract follow-up (no personal data)",
        )  # fmt: skip
        retention.keep(
            "wifi.DailyRollup", date_field="day", days=730,
            purpose="The hourly roll-ups summed per day, read by the monthly availability report",
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
        retention.keep(
            "wifi.InventoryImport", date_field="created_at", days=365,
            purpose="Who imported which access points (the audit of bulk inventory changes)",
            legal_basis="Accountability (GDPR art. 5.2 and 32), as the audit trail",
        )  # fmt: skip
        retention.keep(
            "wifi.RebootNotification", date_field="created_at", days=365,
            purpose="Proof of who was told of an access point's reboot (agents' email addresses)",
            legal_basis="Legitimate interest: service continuity",
        )  # fmt: skip
        retention.keep(
            "wifi.WebhookDelivery", date_field="created_at", days=90,
            purpose="What was posted to the team webhooks and each attempt's answer, to mend a failing one",
            legal_basis="Legitimate interest: service continuity (no personal data)",
        )  # fmt: skip


# Health moves every minute: the audit trail keeps what people change, not what polling measures.
_HEALTH_FIELDS = [
    "health", "health_since", "last_seen_at", "last_polled_at", "last_uptime_seconds", "last_reboot_at",
    "clients_now", "consecutive_failures", "consecutive_successes",
]  # fmt: skip
# Written by each webhook delivery: not a change anyone made.
_WEBHOOK_HEALTH_FIELDS = [
    "webhook_failures_in_row", "webhook_last_success_at", "webhook_last_failure_at", "webhook_last_error",
]  # fmt: skip
