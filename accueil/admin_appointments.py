"""Motifs, opening rules and absences in the Django admin (imported by AccueilConfig.ready()): validated and
audited on save like any other write (sites.audit.audited_save)."""

from django.contrib import admin

from accueil.models import Absence, Motif, OpeningRule
from sites.audit import audited_save


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        audited_save(obj, actor=request.user)


@admin.register(Motif)
class MotifAdmin(AuditedAdmin):
    list_display = ("name", "mds", "duration_minutes", "location_type", "bookable_by", "collective", "seats",
                    "visibility", "active")  # fmt: skip
    list_filter = ("bookable_by", "visibility", "location_type", "active", "mds")
    search_fields = ("name", "mds__name")


@admin.register(OpeningRule)
class OpeningRuleAdmin(AuditedAdmin):
    list_display = ("__str__", "mds", "site", "agent", "valid_from", "valid_until", "every_weeks")
    list_filter = ("weekday", "mds")
    filter_horizontal = ("motifs",)
    autocomplete_fields = ()


@admin.register(Absence)
class AbsenceAdmin(AuditedAdmin):
    list_display = ("__str__", "kind", "mds", "site", "agent", "starts_at", "ends_at")
    list_filter = ("kind", "mds")
