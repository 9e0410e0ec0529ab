from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from sites import privileges, services, two_factor
from sites.forms import AgentChangeForm, AgentCreationForm
from sites.models import Agent, GrantStatus, Mds, Membership, OpeningPeriod, PrivilegeGrant, Service, Site, Zone


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

    def save_model(self, request, obj, form, change):
        pass  # saved with its services and opening hours in save_related, by the one service, together

    def save_related(self, request, form, formsets, change):
        periods, removed = [], []
        for formset in formsets:
            periods += formset.save(commit=False)  # unsaved: read by the admin's history message too
            removed += formset.deleted_objects
        services.mds_update(
            actor=request.user, mds=form.instance, services=form.cleaned_data["services"],
            periods=periods, periods_removed=removed,
        )  # fmt: skip


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

    def save_model(self, request, obj, form, change):
        services.site_save(actor=request.user, site=obj)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            for zone in formset.save(commit=False):  # unsaved: read by the admin's history message too
                services.zone_save(actor=request.user, zone=zone)
            for zone in formset.deleted_objects:
                services.zone_delete(actor=request.user, zone=zone)


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "site", "floor")
    list_select_related = ("site__mds",)
    list_filter = ("kind", "site__mds")
    search_fields = ("name", "site__name", "site__mds__name")
    autocomplete_fields = ("site",)

    def save_model(self, request, obj, form, change):
        services.zone_save(actor=request.user, zone=obj)

    def delete_model(self, request, obj):
        services.zone_delete(actor=request.user, zone=obj)

    def delete_queryset(self, request, queryset):
        for zone in queryset:
            services.zone_delete(actor=request.user, zone=zone)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class MembershipAdminForm(forms.ModelForm):
    """A membership written in the admin, checked against who is writing it (sites.privileges)."""

    by: Agent  # set per request by the admin classes below
    parent_agent: Agent | None = None  # the agent of an inline, before the instance knows it

    class Meta:
        model = Membership
        fields = ["agent", "mds", "role"]

    def clean(self):
        cleaned = super().clean()
        agent = cleaned.get("agent") or self.parent_agent or getattr(self.instance, "agent", None)
        role = cleaned.get("role")
        if role and (self.has_changed() or not self.instance.pk):
            # Moving a membership to another agent is a new grant, whatever its role.
            same_agent = self.instance.pk and agent is not None and agent.pk == self.instance.agent_id
            previous = self.initial.get("role") if same_agent else None
            privileges.membership_change_check(by=self.by, agent=agent, role=role, previous_role=previous)
        return cleaned


def _own(request, membership) -> bool:
    return membership is not None and membership.agent_id == request.user.pk


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("agent", "role", "mds")
    list_select_related = ("agent", "mds")
    list_filter = ("role", "mds")
    search_fields = ("agent__email", "agent__first_name", "agent__last_name")
    autocomplete_fields = ("agent", "mds")

    def get_form(self, request, obj=None, **kwargs):
        return type("MembershipForm", (super().get_form(request, obj, **kwargs),), {"by": request.user})

    def has_change_permission(self, request, obj=None):
        return not _own(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _own(request, obj) and super().has_delete_permission(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipAdminForm
    extra = 0
    autocomplete_fields = ("mds",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("MembershipForm", (formset.form,), {"by": request.user, "parent_agent": obj})
        return formset

    # Nobody changes their own roles: on one's own agent page the memberships are read-only.
    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.pk != request.user.pk) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.pk != request.user.pk) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.pk != request.user.pk) and super().has_delete_permission(request, obj)


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

    def get_readonly_fields(self, request, obj=None):
        # Superuser status is granted only by a second administrator or on the server (PrivilegeGrant):
        # here it can only be taken away. On one's own account no flag changes.
        readonly = list(super().get_readonly_fields(request, obj))
        own = obj is not None and obj.pk == request.user.pk
        if obj is None or own or not obj.is_superuser:
            readonly.append("is_superuser")
        if own:
            readonly += ["is_active", "is_staff"]
        if obj is not None and not privileges.may_change_account(by=request.user, agent=obj):
            # Its privileges may be taken away here, but not who signs in with it (privileges.may_change_account).
            readonly += ["email", "first_name", "last_name"]
        return readonly

    def user_change_password(self, request, id, form_url=""):
        agent = self.get_object(request, id)
        if agent is not None and not privileges.may_change_account(by=request.user, agent=agent):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not privileges.may_change_account(by=request.user, agent=obj):
            return False
        return super().has_delete_permission(request, obj)

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
        return TemplateResponse(
            request, f"admin/{self.opts.app_label}/{self.opts.model_name}/reset_second_factor.html", context
        )


class PrivilegeGrantForm(forms.ModelForm):
    by: Agent  # set per request by PrivilegeGrantAdmin

    class Meta:
        model = PrivilegeGrant
        fields = ["agent", "privilege", "reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agent") and cleaned.get("privilege"):
            try:
                privileges.privilege_request_check(agent=cleaned["agent"], privilege=cleaned["privilege"], by=self.by)
            except PermissionDenied as error:
                raise ValidationError(str(error)) from error
        return cleaned


@admin.register(PrivilegeGrant)
class PrivilegeGrantAdmin(admin.ModelAdmin):
    """Ask for a privilege here; a second administrator approves or refuses it (never the asker nor the agent)."""

    form = PrivilegeGrantForm
    list_display = ("agent", "privilege", "status", "requested_by_name", "requested_at", "decided_by", "decided_at")
    list_select_related = ("agent", "decided_by")
    list_filter = ("status", "privilege")
    search_fields = ("agent__email", "agent__last_name", "requested_by_name")
    autocomplete_fields = ("agent",)
    actions = ["approve", "refuse"]

    def has_view_permission(self, request, obj=None):
        return privileges.is_administrator(request.user)

    def has_add_permission(self, request):
        return privileges.is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # the record of a decision is not edited

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return privileges.is_administrator(request.user)

    def get_form(self, request, obj=None, **kwargs):
        return type("PrivilegeGrantForm", (super().get_form(request, obj, **kwargs),), {"by": request.user})

    def save_model(self, request, obj, form, change):
        grant = privileges.privilege_request(
            agent=obj.agent, privilege=obj.privilege, by=request.user, reason=obj.reason
        )
        obj.pk, obj.requested_at = grant.pk, grant.requested_at

    def _decide(self, request, queryset, *, approve: bool):
        for grant in queryset.filter(status=GrantStatus.PENDING):
            try:
                privileges.privilege_decide(grant=grant, by=request.user, approve=approve)
            except PermissionDenied as error:
                self.message_user(request, f"{grant}: {error}", messages.ERROR)
            except ValidationError as error:
                self.message_user(request, f"{grant}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, str(grant))

    @admin.action(description=_("Approve (as the second administrator)"), permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Refuse"), permissions=["decide"])
    def refuse(self, request, queryset):
        self._decide(request, queryset, approve=False)


class RoleGroupAwareForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name.startswith("role:"):
            raise ValidationError(_("Names starting with “role:” belong to the roles defined in the code."))
        return name


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAwareGroupAdmin(GroupAdmin):
    """The `role:` groups mirror sites/roles.py and are read-only here: an administrator who could add a right
    to the administrator role's group would grant it to themselves. Hand-made rights go in other groups."""

    form = RoleGroupAwareForm

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.name.startswith("role:")) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.name.startswith("role:")) and super().has_delete_permission(request, obj)
