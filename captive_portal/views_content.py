"""Back-office pages of the portal's content: blocks with a live phone preview, and the walled garden.

As everywhere in the back-office, an object is looked up among what the agent may see first (404
outside their MDS), then the object permission is checked (403), by
`core.permissions.ScopedPermissionRequiredMixin`. A block's permission is held on every one of its
sites; a block or domain for every site needs a département-wide role.
"""

import base64
from types import SimpleNamespace

from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from captive_portal import content
from captive_portal.content import ALL_SITES
from captive_portal.forms_content import ContentBlockForm, ContentLinkFormSet, WalledGardenDomainForm
from captive_portal.lists import BlockFilter, BlockTable
from captive_portal.models import ContentBlock, WalledGardenDomain
from captive_portal.selectors import Block, Link
from core.lists import ScopedListView
from core.permissions import ScopedPermissionRequiredMixin
from sites.models import Site

VIEW, ADD, CHANGE, DELETE = (f"captive_portal.{action}_contentblock" for action in ("view", "add", "change", "delete"))
GARDEN_VIEW, GARDEN_ADD, GARDEN_DELETE = (
    f"captive_portal.{action}_walledgardendomain" for action in ("view", "add", "delete")
)


class _OneBlock(ScopedPermissionRequiredMixin):
    """A block has several sites: the permission is `content.may` on all of them (reading: `may_view` on one)."""

    scoped_model = ContentBlock

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().prefetch_related("sites__mds", "links")

    def has_permission(self):
        (permission,) = self.get_permission_required()
        return content.may(self.request.user, permission, self.scoped_object.sites.all())


# --- The phone preview -----------------------------------------------------------------------------


def _data_uri(image: ContentFile) -> str:
    image.seek(0)
    return "data:image/jpeg;base64," + base64.b64encode(image.read()).decode("ascii")


def _sample_page(site: Site | None, block: Block) -> SimpleNamespace:
    """What `captive_portal/includes/blocks.html` reads from a portal page, for one site."""
    if site is None:
        return SimpleNamespace(blocks=[block], site_slug="preview", site_name="", hours=[], services=[])
    return SimpleNamespace(
        blocks=[block], site_slug=site.slug, site_name=site.name or site.mds.name, mds_name=site.mds.name,
        mds_slug=site.mds.slug,
        street=site.street,
        postal_code=site.postal_code, commune=site.commune or site.mds.commune, phone=site.mds.phone, hours=[],
        services=[],
    )  # fmt: skip


def preview_document(*, block: Block | None, language: str, site: Site | None) -> str:
    """The block as the portal shows it, as a small HTML document for the phone frame's iframe."""
    with translation.override(language or "fr"):
        return render_to_string(
            "captive_portal/backoffice/content_preview.html",
            {"page": _sample_page(site, block) if block else None, "language": language or "fr",
             "bidi": translation.get_language_bidi()},
        )  # fmt: skip


def _saved_preview(block: ContentBlock, agent) -> str:
    links = [Link(id=link.pk, label=link.label) for link in block.links.all()]
    shown = Block(kind=block.kind, language=block.language, title=block.title, body=block.body,
                  image_url=block.image.url if block.image else "", image_alt=block.image_alt, links=links)  # fmt: skip
    sites = list(block.sites.all())
    site = sites[0] if sites else Site.objects.visible_to(agent).select_related("mds").first()
    return preview_document(block=shown, language=block.language, site=site)


def _form_preview(form, formset, *, saved_image_url: str, agent) -> str:
    """The block as typed, valid or not yet: each field that passed its own checks is shown."""
    data = getattr(form, "cleaned_data", {})
    image = data.get("image")
    if isinstance(image, ContentFile):
        image_url = _data_uri(image)
    elif image is False:
        image_url = ""
    else:
        image_url = saved_image_url
    links = []
    for link_form in formset.forms:
        link = getattr(link_form, "cleaned_data", None) or {}
        if link.get("label") and link.get("url") and not link.get("DELETE"):
            links.append(Link(id=link["id"].pk if link.get("id") else 0, label=link["label"]))
    if not data.get("title"):
        return preview_document(block=None, language=data.get("language", ""), site=None)
    shown = Block(kind=data.get("kind", ""), language=data.get("language", ""), title=data["title"],
                  body=data.get("body", ""), image_url=image_url,
                  image_alt=data.get("image_alt", ""), links=links)  # fmt: skip
    sites = list(data.get("sites") or [])
    site = sites[0] if sites else Site.objects.visible_to(agent).select_related("mds").first()
    return preview_document(block=shown, language=data.get("language", ""), site=site)


# --- Blocks ----------------------------------------------------------------------------------------


class BlockListView(ScopedListView):
    model = ContentBlock
    permission_required = VIEW
    template_name = "captive_portal/backoffice/content_list.html"
    table_class = BlockTable
    filterset_class = BlockFilter

    def refine_queryset(self, queryset):
        return queryset.prefetch_related("sites__mds").order_by("language", "order", "pk")

    def get_context_data(self, **kwargs):
        agent = self.request.user
        return super().get_context_data(
            can_add=agent.has_perm(ADD), can_see_garden=agent.has_perm(GARDEN_VIEW), **kwargs
        )


class BlockDetailView(_OneBlock, TemplateView):
    permission_required = VIEW
    template_name = "captive_portal/backoffice/content_detail.html"

    def has_permission(self):
        return content.may_view(self.request.user, VIEW, self.scoped_object.sites.all())

    def get_context_data(self, **kwargs):
        agent = self.request.user
        block = self.scoped_object
        sites = list(block.sites.all())
        return super().get_context_data(
            item=block, sites=sites, preview=_saved_preview(block, agent),
            can_change=content.may(agent, CHANGE, sites), can_delete=content.may(agent, DELETE, sites), **kwargs,
        )  # fmt: skip


class _BlockFormView(ScopedPermissionRequiredMixin, View):
    """Create or edit a block. `_preview=fragment` (our script) answers the preview document only;
    `_preview=page` (the button, without JavaScript) shows the page again with it. Neither saves."""

    template_name = "captive_portal/backoffice/content_form.html"

    def get_block(self) -> ContentBlock:
        raise NotImplementedError

    def _render(self, block, form, formset, preview, *, image_kept=False):
        return render(self.request, self.template_name,
                      {"item": block, "form": form, "formset": formset, "preview": preview,
                       "image_kept": image_kept})  # fmt: skip

    def _forms(self, block, data=None, files=None):
        form = ContentBlockForm(
            data, files, instance=block, agent=self.request.user, permission=self.permission_required
        )
        return form, ContentLinkFormSet(data, instance=block, prefix="links")

    def get(self, request, **kwargs):
        block = self.get_block()
        form, formset = self._forms(block)
        preview = (
            _saved_preview(block, request.user) if block.pk else preview_document(block=None, language="fr", site=None)
        )
        return self._render(block, form, formset, preview)

    def post(self, request, **kwargs):
        block = self.get_block()
        saved_image_url = block.image.url if block.image else ""  # before the form sets the new one
        form, formset = self._forms(block, request.POST, request.FILES)
        valid = form.is_valid() & formset.is_valid()  # both, so every error shows at once
        asked = request.POST.get("_preview")
        if asked or not valid:
            preview = _form_preview(form, formset, saved_image_url=saved_image_url, agent=request.user)
            if asked == "fragment":
                return HttpResponse(preview, content_type="text/html; charset=utf-8")
            return self._render(block, form, formset, preview, image_kept=form.keep_new_image())
        creating = block.pk is None
        block = content.block_save(
            actor=request.user, block=form.instance, sites=form.target_sites(), links=formset.link_inputs()
        )
        text = _("The block “%(title)s” was added.") if creating else _("The block “%(title)s” was updated.")
        messages.success(request, text % {"title": block.title})
        return redirect("portal_content:block_detail", pk=block.pk)


class BlockCreateView(_BlockFormView):
    permission_required = ADD

    def get_block(self) -> ContentBlock:
        return ContentBlock()


class BlockEditView(_OneBlock, _BlockFormView):
    permission_required = CHANGE

    def get_block(self) -> ContentBlock:
        return self.scoped_object


class BlockDeleteView(_OneBlock, View):
    permission_required = DELETE
    template_name = "captive_portal/backoffice/content_confirm_delete.html"

    def _block(self):
        return self.scoped_object

    def get(self, request, pk):
        return render(request, self.template_name, {"item": self._block()})

    def post(self, request, pk):
        block = self._block()
        title = block.title
        content.block_delete(actor=request.user, block=block)
        messages.success(request, _("The block “%(title)s” was deleted.") % {"title": title})
        return redirect("portal_content:blocks")


# --- Walled garden ---------------------------------------------------------------------------------


class GardenListView(ScopedPermissionRequiredMixin, View):
    """Every site's domains at a glance; the domains for every site are added here (département-wide)."""

    template_name = "captive_portal/backoffice/garden_list.html"

    def get_permission_required(self):
        return (GARDEN_ADD,) if self.request.method == "POST" else (GARDEN_VIEW,)

    def get_permission_object(self):
        return ALL_SITES if self.request.method == "POST" else None

    def _render(self, form):
        agent = self.request.user
        sites = Site.objects.visible_to(agent).select_related("mds").prefetch_related("walled_garden")
        everywhere = WalledGardenDomain.objects.filter(site__isnull=True)
        return render(self.request, self.template_name, {
            "sites": sites.order_by("mds__number", "number"), "everywhere": everywhere, "form": form,
            "can_delete_all": agent.has_perm(GARDEN_DELETE, ALL_SITES), "portal_host": content.portal_host(),
        })  # fmt: skip

    def get(self, request):
        can_add = request.user.has_perm(GARDEN_ADD, ALL_SITES)
        return self._render(WalledGardenDomainForm(instance=WalledGardenDomain(site=None)) if can_add else None)

    def post(self, request):
        form = WalledGardenDomainForm(request.POST, instance=WalledGardenDomain(site=None))
        if not form.is_valid():
            return self._render(form)
        domain = content.garden_domain_save(actor=request.user, domain=form.instance)
        messages.success(request, _("%(domain)s is now reachable before acceptance at every site.") % {
            "domain": domain.domain})  # fmt: skip
        return redirect("portal_content:garden")


class GardenSiteView(ScopedPermissionRequiredMixin, View):
    scoped_model = Site
    lookup_field = "slug"
    template_name = "captive_portal/backoffice/garden_site.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("mds")

    def get_permission_required(self):
        return (GARDEN_ADD,) if self.request.method == "POST" else (GARDEN_VIEW,)

    def _render(self, site, form):
        agent = self.request.user
        return render(self.request, self.template_name, {
            "site": site, "form": form, "domains": site.walled_garden.all(),
            "everywhere": WalledGardenDomain.objects.filter(site__isnull=True),
            "effective": content.walled_garden(site), "portal_host": content.portal_host(),
            "can_delete": agent.has_perm(GARDEN_DELETE, site),
        })  # fmt: skip

    def get(self, request, slug):
        site = self.scoped_object
        can_add = request.user.has_perm(GARDEN_ADD, site)
        return self._render(site, WalledGardenDomainForm(instance=WalledGardenDomain(site=site)) if can_add else None)

    def post(self, request, slug):
        site = self.scoped_object
        form = WalledGardenDomainForm(request.POST, instance=WalledGardenDomain(site=site))
        if not form.is_valid():
            return self._render(site, form)
        domain = content.garden_domain_save(actor=request.user, domain=form.instance)
        messages.success(request, _("%(domain)s is now reachable before acceptance at %(site)s.") % {
            "domain": domain.domain, "site": site})  # fmt: skip
        return redirect("portal_content:garden_site", slug=site.slug)


class GardenDeleteView(ScopedPermissionRequiredMixin, View):
    """A domain of every site (no site) belongs to no MDS: only a département-wide role may remove it."""

    scoped_model = WalledGardenDomain
    permission_required = GARDEN_DELETE
    template_name = "captive_portal/backoffice/garden_confirm_delete.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("site__mds")

    def _domain(self) -> WalledGardenDomain:
        return self.scoped_object

    def _back(self, domain) -> str:
        if domain.site is None:
            return reverse("portal_content:garden")
        return reverse("portal_content:garden_site", kwargs={"slug": domain.site.slug})

    def get(self, request, pk):
        domain = self._domain()
        return render(request, self.template_name, {"domain": domain, "back": self._back(domain)})

    def post(self, request, pk):
        domain = self._domain()
        back = self._back(domain)
        content.garden_domain_remove(actor=request.user, domain=domain)
        messages.success(request, _("%(domain)s was removed from the walled garden.") % {"domain": domain.domain})
        return redirect(back)
