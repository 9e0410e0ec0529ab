"""Reading the audit trail as an auditor would: who django-auditlog says created, changed or deleted a row."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

CREATE, UPDATE, DELETE = LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE


def actors(model, pk, action: int) -> set:
    """The agents named by the audit entries of `action` on the row `pk` of `model` (deleted or not)."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_pk=str(pk), action=action
    ).select_related("actor")
    return {entry.actor for entry in entries}
