"""Admin pieces every app uses."""

from django.contrib import admin

from core.models import SentMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the platform records (measurements, counters, queues, outboxes): looked at in the admin, never
    added nor edited there. Deleting stays a matter of the model's delete permission."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "template", "recipient", "result", "provider", "segments")
    list_filter = ("channel", "result", "provider")
    search_fields = ("template", "provider_message_id")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    show_full_result_count = False  # a year of notifications: counting them all is slow
