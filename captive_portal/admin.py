"""The Django admin of the captive portal.

Gateway secrets are never in the database, so never here: the `secret_name` option only names a set of
PORTAL_GATEWAY_SECRETS. The legal connection log (ConnectionRecord) is deliberately not registered:
it is read only through the legal-requisition search, which records who searched and why, and nothing
edits it (the model has no add, change or delete permission at all). The
device-hash keys are not registered either: a key shown is a key that can re-identify devices.
Counters and the authmon queue are written by the platform and only looked at here.
"""

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from captive_portal import content, services, site_portals
from captive_portal.captive_api import gateway_setup, portal_origin
from captive_portal.content import LinkInput
from captive_portal.gateways.base import gateway_class, gateway_classes
from captive_portal.models import (
    ContentBlock,
    ContentClickDaily,
    ContentLink,
    EgressNetwork,
    GatewayAuthorisation,
    LoadedDefault,
    PortalRejection,
    PortalStatsHourly,
    SitePortal,
    TermsVersion,
    WalledGardenDomain,
    normalise_network,
)
from core.admin import ReadOnlyAdmin

NEEDS_SETUP_HELP = _(
    "This portal was created at installation as click-through so that the site shows a splash: its WiFi gateway "
    "is still to be configured. Choose the gateway and save: the “to configure” mark then goes."
)


def gateway_option_fields() -> dict[str, forms.Field]:
    """One form field per option of the configured gateways (an option two gateways share is one field)."""
    fields: dict[str, forms.Field] = {}
    for cls in gateway_classes().values():
        for name, option in cls.options_form.base_fields.items():
            if name not in fields:
                fields[name] = copy.deepcopy(option)
                fields[name].required = False  # required or not depends on the gateway chosen: its class says so
    return fields


class SitePortalAdminForm(forms.ModelForm):
    """The portal's columns, then the options of every configured gateway, one field each (labels from their
    classes). Saving keeps only the options of the chosen gateway, as its class validated them.

    The option fields are declared by `SitePortalAdmin.get_form`, from the PORTAL_GATEWAYS of the moment.
    """

    option_names: frozenset[str] = frozenset()

    class Meta:
        model = SitePortal
        # Every column but gateway_options, which is edited through its options' own fields; needs_setup is
        # read-only (saving is what clears it).
        fields = ("site", "enabled", "gateway_kind", "session_minutes", "idle_timeout_minutes", "upload_kbps",
                  "download_kbps")  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in (self.instance.gateway_options or {}).items():
            if name in self.option_names:
                self.initial.setdefault(name, value)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("gateway_kind")
        if not kind:
            return cleaned
        cls = gateway_class(kind)
        own = set(cls.options_form.base_fields)
        for name in self.option_names - own:  # another gateway's options: neither kept nor checked
            self._errors.pop(name, None)
            cleaned.pop(name, None)
        if any(name in self._errors for name in own):
            return cleaned
        try:
            self.instance.gateway_options = cls.clean_options({name: cleaned.get(name) for name in own})
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


@admin.register(SitePortal)
class SitePortalAdmin(admin.ModelAdmin):
    form = SitePortalAdminForm
    list_display = (
        "site",
        "setup_status",
        "gateway_kind",
        "gateway_name",
        "secret_name",
        "enabled",
        "session_minutes",
        "configuration",
    )
    list_select_related = ("site__mds",)
    list_filter = ("needs_setup", "gateway_kind", "enabled", "site__mds")
    search_fields = ("site__name", "site__slug", "gateway_options__gateway_name")
    autocomplete_fields = ("site",)
    # Cleared by saving, not by a tick: saving the gateway here is what configures it.
    readonly_fields = ("needs_setup", "configuration_problems")

    def get_form(self, request, obj=None, change=False, **kwargs):
        fields = gateway_option_fields()
        with_options = type("SitePortalOptionsForm", (self.form,), {**fields, "option_names": frozenset(fields)})
        return super().get_form(request, obj, change, **{**kwargs, "form": with_options})

    def get_fields(self, request, obj=None):
        """The options right after the gateway they belong to, where their columns used to be."""
        fields = list(super().get_fields(request, obj))
        options = [name for name in fields if name in gateway_option_fields()]
        rest = [name for name in fields if name not in options]
        after = rest.index("gateway_kind") + 1 if "gateway_kind" in rest else len(rest)
        return [*rest[:after], *options, *rest[after:]]

    @admin.display(description=_("gateway name"))
    def gateway_name(self, portal):
        return portal.gateway_options.get("gateway_name") or None

    @admin.display(description=_("secret set"))
    def secret_name(self, portal):
        return portal.secret_name or None

    @admin.display(description=_("setup"), ordering="-needs_setup")
    def setup_status(self, portal):
        return _("To configure") if portal.needs_setup else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        portal = self.get_object(request, object_id)
        if request.method == "GET" and portal is not None and portal.needs_setup:
            messages.warning(request, NEEDS_SETUP_HELP)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        site_portals.portal_gateway_save(actor=request.user, portal=obj)

    @staticmethod
    def _problems(portal) -> list[str]:
        return gateway_setup(portal, origin=portal_origin()).warnings

    @admin.display(description=_("configuration"))
    def configuration(self, portal):
        problems = self._problems(portal)
        if not problems:
            return _("ready")
        return format_html(
            '<strong class="errornote">{}</strong>', _("misconfigured (%(count)s)") % {"count": len(problems)}
        )

    @admin.display(description=_("configuration problems"))
    def configuration_problems(self, portal):
        problems = self._problems(portal) if portal.pk else []
        if not problems:
            return _("none")
        return format_html_join("", '<p class="errornote">{}</p>', ((problem,) for problem in problems))


@admin.register(LoadedDefault)
class LoadedDefaultAdmin(ReadOnlyAdmin):
    """Deleting a row here lets the next `load_portal_content` load that default block again."""

    list_display = ("key", "language", "loaded_at")
    list_filter = ("language",)


class EgressNetworkAdminForm(forms.ModelForm):
    class Meta:
        model = EgressNetwork
        fields = ["site", "network", "note"]

    def clean_network(self):
        return normalise_network(self.cleaned_data["network"])


@admin.register(EgressNetwork)
class EgressNetworkAdmin(admin.ModelAdmin):
    """Where each site's visitors reach the portal from (UniFi and click-through arrivals are checked)."""

    form = EgressNetworkAdminForm
    list_display = ("network", "site", "note")
    list_select_related = ("site__mds",)
    list_filter = ("site__mds",)
    search_fields = ("network", "site__name", "site__slug", "note")
    autocomplete_fields = ("site",)

    def save_model(self, request, obj, form, change):
        if change:
            services.egress_network_update(actor=request.user, egress=obj)
        else:
            added = services.egress_network_add(actor=request.user, site=obj.site, network=obj.network, note=obj.note)
            obj.pk = added.pk

    def delete_model(self, request, obj):
        services.egress_network_remove(actor=request.user, egress=obj)

    def delete_queryset(self, request, queryset):
        for egress in queryset:
            services.egress_network_remove(actor=request.user, egress=egress)


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    list_display = ("language", "version", "published_at")
    list_filter = ("language",)
    ordering = ("language", "-version")

    def get_readonly_fields(self, request, obj=None):
        # Accepted terms are evidence of what a visitor agreed to: a change is a new version.
        return ("language", "version", "summary", "full_text") if obj else ()


class ContentLinkInline(admin.TabularInline):
    model = ContentLink
    extra = 1
    fields = ("label", "url", "order")


class ContentBlockAdminForm(forms.ModelForm):
    class Meta:
        model = ContentBlock
        fields = "__all__"  # noqa: DJ007 — the admin edits every field

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):  # a new upload: resized and stripped as in the back-office
            return content.image_prepare(image)
        return image


@admin.register(ContentBlock)
class ContentBlockAdmin(admin.ModelAdmin):
    form = ContentBlockAdminForm
    list_display = ("title", "kind", "language", "starts_on", "ends_on", "order", "published")
    list_filter = ("language", "kind", "published")
    search_fields = ("title", "body")
    filter_horizontal = ("sites",)
    inlines = [ContentLinkInline]

    def save_model(self, request, obj, form, change):
        pass  # saved with its sites and links in save_related, by content.block_save, together

    def save_related(self, request, form, formsets, change):
        links = []
        for formset in formsets:
            formset.save(commit=False)  # writes nothing: fills in what the admin's history message reads
            kept = [f for f in formset.forms if f not in formset.deleted_forms and (f.instance.pk or f.has_changed())]
            for link_form in sorted(kept, key=lambda f: f.cleaned_data["order"]):
                data = link_form.cleaned_data
                links.append(LinkInput(label=data["label"], url=data["url"], id=link_form.instance.pk))
        content.block_save(actor=request.user, block=form.instance, sites=form.cleaned_data["sites"], links=links)

    def delete_model(self, request, obj):
        content.block_delete(actor=request.user, block=obj)

    def delete_queryset(self, request, queryset):
        for block in queryset:
            content.block_delete(actor=request.user, block=block)


class WalledGardenDomainAdminForm(forms.ModelForm):
    class Meta:
        model = WalledGardenDomain
        fields = ["site", "domain", "note"]

    def clean_domain(self):
        return content.domain_normalise(self.cleaned_data["domain"])


@admin.register(WalledGardenDomain)
class WalledGardenDomainAdmin(admin.ModelAdmin):
    form = WalledGardenDomainAdminForm
    list_display = ("domain", "site", "note")
    list_select_related = ("site__mds",)
    list_filter = ("site__mds",)
    search_fields = ("domain", "note")
    autocomplete_fields = ("site",)

    def save_model(self, request, obj, form, change):
        content.garden_domain_save(actor=request.user, domain=obj)

    def delete_model(self, request, obj):
        content.garden_domain_remove(actor=request.user, domain=obj)

    def delete_queryset(self, request, queryset):
        for domain in queryset:
            content.garden_domain_remove(actor=request.user, domain=domain)


@admin.register(ContentClickDaily)
class ContentClickDailyAdmin(ReadOnlyAdmin):
    list_display = ("day", "site", "link", "clicks")
    list_select_related = ("site__mds", "link")
    list_filter = ("day", "site__mds")
    date_hierarchy = "day"


@admin.register(GatewayAuthorisation)
class GatewayAuthorisationAdmin(ReadOnlyAdmin):
    list_display = ("site", "gateway_hash", "created_at", "delivered_at", "session_minutes")
    list_select_related = ("site__mds",)
    list_filter = ("site__mds",)
    # A client's token hash, and the device and address its connection record will hold once acknowledged:
    # the connection log's data, read only through the legal-requisition search.
    exclude = ("rhid", "connection")


@admin.register(PortalRejection)
class PortalRejectionAdmin(ReadOnlyAdmin):
    list_display = ("day", "site", "reason", "count")
    list_select_related = ("site__mds",)
    list_filter = ("reason", "day")
    date_hierarchy = "day"


@admin.register(PortalStatsHourly)
class PortalStatsHourlyAdmin(ReadOnlyAdmin):
    list_display = ("site", "hour", "connections", "unique_devices", "returning_devices")
    list_select_related = ("site__mds",)
    list_filter = ("site__mds",)
    date_hierarchy = "hour"
