"""The Django admin of the WiFi app. Polling secrets are never in the database, so never here:
`credential_name` only names a set configured in WIFI_CREDENTIALS."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from sites.models import Agent
from sites.roles import Role
from wifi import inventory, maintenance, notifications
from wifi.forms import credential_choices, polling_method_choices, secret_name_choices
from wifi.models import (
    AccessPoint,
    HealthSample,
    HourlyRollup,
    Incident,
    IncidentNotification,
    InventoryImport,
    MaintenanceWindow,
    OpsTeam,
    Outage,
    PollingRound,
    RebootNotification,
    WebhookAttempt,
    WebhookDelivery,
)

# Written by polling (wifi.services.round_record), never by hand.
HEALTH_FIELDS = (
    "health", "health_since", "last_seen_at", "last_polled_at", "last_uptime_seconds", "last_reboot_at",
    "clients_now", "consecutive_failures", "consecutive_successes",
)  # fmt: skip


class AccessPointAdminForm(forms.ModelForm):
    credential_name = forms.ChoiceField(label=_("credential set"), required=False)

    class Meta:
        model = AccessPoint
        fields = "__all__"  # noqa: DJ007 — the admin edits every field; health ones are read-only

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credential_name"].choices = credential_choices(self.instance.credential_name)
        self.fields["probe_kind"].choices = polling_method_choices(self.instance.probe_kind)


@admin.action(description=_("Export selected as CSV"))
def export_as_csv(modeladmin, request, queryset):
    return inventory.aps_csv_response(queryset)


@admin.register(AccessPoint)
class AccessPointAdmin(admin.ModelAdmin):
    form = AccessPointAdminForm
    list_display = ("label", "site", "zone", "serial_number", "mac_address", "lifecycle", "health", "last_seen_at")
    list_select_related = ("site__mds", "zone")
    list_filter = ("lifecycle", "health", "probe_kind", "site__mds")
    search_fields = ("label", "serial_number", "mac_address")
    autocomplete_fields = ("site", "zone")
    readonly_fields = (*HEALTH_FIELDS, "alerts_snoozed_until", "updated_at")
    actions = [export_as_csv]
    fieldsets = (
        (None, {"fields": ("site", "zone", "label", "vendor", "hardware_model", "serial_number", "mac_address",
                           "notes")}),
        (_("Polling"), {"fields": ("management_address", "probe_kind", "probe_port", "probe_settings",
                                   "credential_name")}),
        (_("Lifecycle"), {"fields": ("lifecycle", "planned_on", "ordered_on", "installed_on", "accepted_on",
                                     "in_service_on", "faulty_on", "retired_on")}),
        (_("Health"), {"fields": (*HEALTH_FIELDS, "alerts_snoozed_until", "updated_at")}),
    )  # fmt: skip

    def save_model(self, request, obj, form, change):
        inventory.access_point_save(actor=request.user, access_point=obj)


@admin.register(HealthSample)
class HealthSampleAdmin(ReadOnlyAdmin):
    list_display = ("access_point", "taken_at", "reachable", "degraded", "latency_ms", "clients", "error_kind",
                    "planned")  # fmt: skip
    list_select_related = ("access_point",)
    list_filter = ("reachable", "degraded", "error_kind", "planned")
    search_fields = ("access_point__label", "access_point__serial_number")
    date_hierarchy = "taken_at"
    show_full_result_count = False  # a month of samples of every AP: counting them all is slow


@admin.register(HourlyRollup)
class HourlyRollupAdmin(ReadOnlyAdmin):
    list_display = ("access_point", "hour", "samples", "reachable_samples", "planned_down_samples", "clients_max")
    list_select_related = ("access_point",)
    search_fields = ("access_point__label", "access_point__serial_number")
    date_hierarchy = "hour"
    show_full_result_count = False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("access_point", "started_at", "ended_at", "cause", "planned")
    list_select_related = ("access_point__site",)
    list_filter = ("planned", ("ended_at", admin.EmptyFieldListFilter), "cause", "access_point__site__mds")
    search_fields = ("access_point__label", "access_point__serial_number", "detail")
    date_hierarchy = "started_at"
    raw_id_fields = ("access_point",)


@admin.register(IncidentNotification)
class IncidentNotificationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "event", "created_at", "sent_at", "held_by")
    list_select_related = ("incident__access_point", "outage__site", "held_by__site")
    list_filter = ("event", ("sent_at", admin.EmptyFieldListFilter), ("held_by", admin.EmptyFieldListFilter))


# Written by polling (wifi.services.round_record), never by hand.
@admin.register(Outage)
class OutageAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "scope", "started_at", "ended_at", "aps_down", "aps_polled", "planned")
    list_select_related = ("site",)
    list_filter = ("scope", ("ended_at", admin.EmptyFieldListFilter))
    date_hierarchy = "started_at"


@admin.register(PollingRound)
class PollingRoundAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at", "duration", "polled", "answered", "skipped", "partial")
    list_filter = ("skipped", "partial")
    date_hierarchy = "started_at"


@admin.register(RebootNotification)
class RebootNotificationAdmin(ReadOnlyAdmin):
    list_display = ("access_point", "rebooted_at", "sent_at", "recipients")
    list_select_related = ("access_point",)
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ("__str__", "site", "access_point", "starts_at", "ends_at", "reason", "created_by")
    list_select_related = ("site__mds", "access_point", "created_by")
    list_filter = ("site__mds",)
    search_fields = ("reason", "site__name", "access_point__label")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("site", "access_point")
    readonly_fields = ("created_by", "cancelled_at")

    def save_model(self, request, obj, form, change):
        if change:
            maintenance.maintenance_window_update(actor=request.user, window=obj)
        else:
            fields = ("site", "access_point", "starts_at", "ends_at", "reason")
            window = maintenance.maintenance_window_declare(
                actor=request.user, **{name: getattr(obj, name) for name in fields}
            )
            obj.pk, obj.created_by = window.pk, window.created_by


@admin.register(InventoryImport)
class InventoryImportAdmin(ReadOnlyAdmin):
    """The CSV imports that wrote, with their counts: written by wifi.inventory_import only."""

    list_display = ("created_at", "agent", "filename", "encoding", "created", "updated", "unchanged", "refused")
    list_select_related = ("agent",)


# --- Teams and their webhooks (wifi.notifications) ---------------------------------------------------


class OpsTeamAdminForm(forms.ModelForm):
    webhook_secret_name = forms.ChoiceField(
        label=_("signing secret"),
        required=False,
        help_text=_("A name from WIFI_WEBHOOK_SECRETS; the secret is never shown."),
    )

    class Meta:
        model = OpsTeam
        fields = ("name", "members", "webhook_url", "webhook_secret_name", "webhook_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webhook_secret_name"].choices = secret_name_choices(
            settings.WIFI_WEBHOOK_SECRETS, self.instance.webhook_secret_name
        )
        # Only ops agents receive alerts (wifi.notifications): offering anyone else would mislead.
        self.fields["members"].queryset = Agent.objects.filter(memberships__role=Role.OPS).distinct()


class WebhookFailingFilter(admin.SimpleListFilter):
    title = _("webhook state")
    parameter_name = "failing"

    def lookups(self, request, model_admin):
        return [("yes", _("Failing"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(webhook_failures_in_row__gte=settings.WIFI_WEBHOOK_FAILING_AFTER)
        return queryset


@admin.register(OpsTeam)
class OpsTeamAdmin(admin.ModelAdmin):
    """A webhook that keeps failing shows here, in red, with its last error (alerts still go by email)."""

    form = OpsTeamAdminForm
    list_display = ("name", "member_count", "webhook_url", "webhook_active", "webhook_state",
                    "webhook_last_success_at", "webhook_last_error")  # fmt: skip
    list_filter = (WebhookFailingFilter, "webhook_active")
    search_fields = ("name",)
    filter_horizontal = ("members",)
    readonly_fields = ("webhook_failures_in_row", "webhook_last_success_at", "webhook_last_failure_at",
                       "webhook_last_error")  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, team):
        return team.member_count

    @admin.display(description=_("webhook state"))
    def webhook_state(self, team):
        if not team.webhook_url:
            return "—"
        if team.webhook_failing:
            return format_html(
                '<strong style="color:#b00020">{}</strong>',
                _("Failing: %(count)d attempts in a row") % {"count": team.webhook_failures_in_row},
            )
        return _("OK")

    def save_model(self, request, obj, form, change):
        notifications.ops_team_save(actor=request.user, team=obj)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("attempted_at", "ok", "http_status", "duration_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "team", "event", "status", "attempts", "next_attempt_at", "delivered_at")
    list_select_related = ("team",)
    list_filter = ("status", "event", "team")
    date_hierarchy = "created_at"
    inlines = [WebhookAttemptInline]
    show_full_result_count = False
