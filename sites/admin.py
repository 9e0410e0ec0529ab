from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from sites import two_factor
from sites.forms import AgentChangeForm, AgentCreationForm
from sites.models import Agent, Mds, Membership, OpeningPeriod, Service, Site, Zone


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


@admin.register(Mds)
class MdsAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "commune", "kind", "site_count")
    list_display_links = ("number", "name")
    list_filter = ("kind",)
    search_fields = ("name", "commune")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("services",)
    inlines = [OpeningPeriodInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(site_count=Count("sites"))

    @admin.display(description=_("sites"), ordering="site_count")
    def site_count(self, obj):
        return obj.site_count


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "mds", "number", "commune", "postal_code", "has_coordinates")
    list_select_related = ("mds",)
    list_filter = ("mds",)
    search_fields = ("name", "commune", "postal_code", "street", "mds__name")
    autocomplete_fields = ("mds",)
    inlines = [ZoneInline]

    @admin.display(description=_("coordinates"), boolean=True)
    def has_coordinates(self, obj):
        return obj.latitude is not None and obj.longitude is not None


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "site", "floor")
    list_select_related = ("site__mds",)
    list_filter = ("kind", "site__mds")
    search_fields = ("name", "site__name", "site__mds__name")
    autocomplete_fields = ("site",)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("agent", "role", "mds")
    list_select_related = ("agent", "mds")
    list_filter = ("role", "mds")
    search_fields = ("agent__email", "agent__first_name", "agent__last_name")
    autocomplete_fields = ("agent", "mds")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("mds",)


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the audit trail and sent to the agent, e.g. “phone lost, ticket 1234”."),
    )


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    """Django's user admin for a login by email. Roles come from memberships, not from groups."""

    form = AgentChangeForm
    add_form = AgentCreationForm
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "memberships__role")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("last_name", "first_name", "email")
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    inlines = [MembershipInline]
    actions = ["reset_second_factor"]

    def has_reset_second_factor_permission(self, request):
        return two_factor.may_reset_second_factors(request.user)

    @admin.action(description=_("Reset the second factor (lost phone)"), permissions=["reset_second_factor"])
    def reset_second_factor(self, request, queryset):
        """Ask for the reason on an intermediate page, then reset each selected agent's devices."""
        form = SecondFactorResetForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for agent in queryset:
                try:
                    two_factor.totp_device_reset(agent=agent, by=request.user, reason=form.cleaned_data["reason"])
                    done += 1
                except PermissionDenied as error:
                    self.message_user(request, f"{agent}: {error}", messages.ERROR)
                except ValidationError as error:
                    self.message_user(request, f"{agent}: {' '.join(error.messages)}", messages.ERROR)
            if done:
                self.message_user(
                    request, _("Second factor reset for %(count)d agent(s); they were told by email.") % {"count": done}
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset the second factor"),
            "opts": self.model._meta,
            "agents": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/sites/agent/reset_second_factor.html", context)
