"""Admin pieces every app uses."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext

from core.models import SentMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the platform records (measurements, counters, queues, outboxes): looked at in the admin, never
    added nor edited there. Deleting stays a matter of the model's delete permission."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "template", "recipient", "result", "provider", "segments")
    list_filter = ("channel", "result", "provider")
    search_fields = ("template", "provider_message_id")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    show_full_result_count = False  # a year of notifications: counting them all is slow


class AuditLogEntryAdmin(LogEntryAdmin):
    """auditlog's own list, with its change summary in the active language: "2 modifications : téléphone,
    e-mail" from the fields' verbose names, where auditlog writes "2 changes: phone, email" in English."""

    @admin.display(description=gettext_lazy("Changes"))
    def msg_short(self, obj: LogEntry) -> str:
        if obj.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
            return ""
        changes = obj.changes_dict
        model = obj.content_type.model_class() if obj.content_type_id else None
        names = [_field_name(model, name) for name in changes]
        return ngettext("%(count)d change: %(fields)s", "%(count)d changes: %(fields)s", len(changes)) % {
            "count": len(changes),
            "fields": ", ".join(names),
        }


def _field_name(model: type[Model] | None, name: str) -> str:
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))  # a reverse relation has none: its name


# auditlog registers its admin before ours (INSTALLED_APPS order): replaced, not added.
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditLogEntryAdmin)
