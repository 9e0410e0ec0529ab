"""Digital mediation in the Django admin (imported by MediationConfig.ready()).

Reference data (themes, workshops, mediators, trainings, beneficiaries) is edited here, validated and audited
(sites.audit.audited_save). Sessions save through `session_save` (the site of the workshop's MDS, no capacity
below the seats given). Registrations and activity records are written by their services only — seats are
counted under the session's lock, an activity follows its session — so they are read-only here, with the
services as actions.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdmin
from mediation import registrations, sessions
from mediation.models import (
    Accompaniment,
    Activity,
    AgentTraining,
    Beneficiary,
    Mediator,
    Notification,
    Registration,
    Theme,
    Workshop,
    WorkshopSession,
)
from sites.audit import audited_save


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        audited_save(obj, actor=request.user)


@admin.register(Theme)
class ThemeAdmin(AuditedAdmin):
    list_display = ("__str__", "code", "kind", "parent", "national_code", "active", "order")
    list_filter = ("kind", "active")
    search_fields = ("code", "label", "national_code")


@admin.register(Workshop)
class WorkshopAdmin(AuditedAdmin):
    list_display = ("title", "mds", "level", "duration_minutes", "active")
    list_filter = ("level", "active", "mds")
    search_fields = ("title", "description")
    filter_horizontal = ("themes",)


@admin.register(WorkshopSession)
class WorkshopSessionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "site", "starts_at", "capacity", "status")
    list_filter = ("status", "workshop__mds")
    date_hierarchy = "starts_at"
    filter_horizontal = ("facilitators",)
    readonly_fields = ("status", "held_at")
    actions = ["mark_held"]

    def save_model(self, request, obj, form, change):
        sessions.session_save(session=obj, actor=request.user)

    @admin.action(description=_("Mark held (fills the activity record)"))
    def mark_held(self, request: HttpRequest, queryset: QuerySet[WorkshopSession]) -> None:
        done = 0
        for session in queryset:
            try:
                sessions.session_mark_held(session=session, actor=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{session} — {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, ngettext("%(count)d session marked held.", "%(count)d sessions marked held.",
                                            done) % {"count": done})  # fmt: skip


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "position", "attendance", "walk_in", "created_at")
    list_filter = ("status", "attendance", "walk_in")
    search_fields = ("first_name", "phone", "email")
    actions = ["cancel"]

    @admin.action(description=_("Cancel (the seat goes to the waiting list)"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        for registration in queryset:
            registrations.registration_cancel(registration=registration, actor=request.user)
        self.message_user(request, ngettext("%(count)d registration cancelled.", "%(count)d registrations cancelled.",
                                            len(queryset)) % {"count": len(queryset)})  # fmt: skip


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "mds", "site", "date", "duration_minutes", "participants")
    list_filter = ("kind", "mds")
    date_hierarchy = "date"


@admin.register(Accompaniment)
class AccompanimentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "place_type", "age_band", "outcome", "redirected_to")
    list_filter = ("place_type", "outcome", "age_band")


@admin.register(Beneficiary)
class BeneficiaryAdmin(AuditedAdmin):
    list_display = ("__str__", "mds", "last_seen_on", "anonymised_at")
    list_filter = ("mds",)
    search_fields = ("first_name", "last_name", "phone", "email")
    readonly_fields = ("last_seen_on", "anonymised_at")


@admin.register(Mediator)
class MediatorAdmin(AuditedAdmin):
    list_display = ("__str__", "mds", "kind", "school", "internship_starts_on", "internship_ends_on", "tutor")
    list_filter = ("kind", "mds")
    filter_horizontal = ("sites",)


@admin.register(AgentTraining)
class AgentTrainingAdmin(AuditedAdmin):
    list_display = ("__str__", "trainer", "mds", "site", "online", "duration_minutes")
    list_filter = ("online", "mds")
    date_hierarchy = "date"
    filter_horizontal = ("attendees",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Mediation's outbox: which message went to whom (the registration), its fate and the provider's log entry.
    Written by mediation.messages only."""

    list_display = ("created_at", "purpose", "channel", "status", "attempts", "send_after", "sent_at", "mds")
    list_filter = ("purpose", "channel", "status", "mds")
    list_select_related = ("mds",)
    raw_id_fields = ("registration", "sent_message")
    search_fields = ("key",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    show_full_result_count = False  # a year of messages: counting them all is slow
