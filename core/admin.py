"""Admin pieces every app uses."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the platform records (measurements, counters, queues, outboxes): looked at in the admin, never
    added nor edited there. Deleting stays a matter of the model's delete permission."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
