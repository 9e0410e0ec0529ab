"""Back-office forms of the portal's content: blocks with their links, list filters, walled-garden domains."""

import base64

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from captive_portal import content
from captive_portal.content import ALL_SITES
from captive_portal.models import (
    ContentBlock,
    ContentLink,
    EgressNetwork,
    WalledGardenDomain,
    normalise_network,
)
from sites.models import Site

IMAGE_KEPT_MAX_LENGTH = 1_000_000  # base64 of a reduced JPEG (about 60 KB; 800 px wide at most)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class PortalImageField(forms.ImageField):
    """Refuses a file over 5 MB before Pillow opens it, then makes the visitor-sized JPEG of it."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        content.image_check_size(data)
        checked = super().to_python(data)
        return content.image_prepare(checked)


class ContentBlockForm(forms.ModelForm):
    """A block; target sites are those the agent may write for, and "every site" only département-wide."""

    all_sites = forms.BooleanField(
        label=_("Every site of the département"), required=False,
        help_text=_("Shown on every portal. Otherwise, choose the sites below."),
    )  # fmt: skip
    image = PortalImageField(
        label=_("Image"), required=False,
        help_text=_("JPEG, PNG or WebP, 5 MB at most. It is reduced to 800 pixels wide and its metadata removed."),
    )  # fmt: skip
    # A page reload ("Preview" without JavaScript, or a refused form) empties the file input: the image chosen
    # comes back here, already reduced, so that saving afterwards keeps it. Checked again like an upload.
    image_kept = forms.CharField(required=False, widget=forms.HiddenInput, max_length=IMAGE_KEPT_MAX_LENGTH)

    class Meta:
        model = ContentBlock
        fields = ["kind", "language", "title", "body", "image", "image_alt", "all_sites", "sites", "starts_on",
                  "ends_on", "order", "published"]  # fmt: skip
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6}),
            "sites": forms.CheckboxSelectMultiple,
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "order": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "image_alt": _("Required with an image: what it shows, for people who cannot see it."),
            "order": _("Smaller numbers come first."),
            "sites": "",
        }

    def __init__(self, *args, agent, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.agent, self.permission = agent, permission
        self.fields["language"].choices = list(settings.PORTAL_LANGUAGES)
        self.fields["sites"].queryset = (
            Site.objects.visible_to(agent).select_related("mds").order_by("mds__number", "number")
        )
        self.fields["sites"].required = False
        if agent.has_perm(permission, ALL_SITES):
            if self.instance.pk and not self.instance.sites.exists():
                self.initial.setdefault("all_sites", True)
        else:
            del self.fields["all_sites"]
        self.helper = _helper()

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean(self):
        cleaned = super().clean()
        kept = cleaned.get("image_kept")
        if kept and self.add_prefix("image") not in self.files and cleaned.get("image") is not False:
            try:
                cleaned["image"] = content.image_prepare(ContentFile(base64.b64decode(kept, validate=True)))
            except (ValueError, forms.ValidationError):
                self.add_error("image", _("The image chosen before could not be kept: choose it again."))
        sites = list(cleaned.get("sites") or [])
        everywhere = cleaned.get("all_sites", False)
        if everywhere and sites:
            self.add_error("sites", _("Choose either every site or some sites, not both."))
        elif not everywhere and not sites and "sites" not in self.errors:
            self.add_error("sites", _("Choose at least one site."))
        elif not everywhere and not content.may(self.agent, self.permission, sites):
            self.add_error("sites", _("You may only choose the sites of your MDS."))
        return cleaned

    def keep_new_image(self) -> bool:
        """After a reload that saves nothing: carry a newly chosen image in the page. True when there is one."""
        image = getattr(self, "cleaned_data", {}).get("image")
        if not isinstance(image, ContentFile):
            return False
        image.seek(0)
        self.data = self.data.copy()
        self.data[self.add_prefix("image_kept")] = base64.b64encode(image.read()).decode("ascii")
        return True

    def target_sites(self) -> list[Site]:
        return [] if self.cleaned_data.get("all_sites") else list(self.cleaned_data["sites"])


class ContentLinkForm(forms.ModelForm):
    class Meta:
        model = ContentLink
        fields = ["label", "url"]
        widgets = {"url": forms.URLInput(attrs={"spellcheck": "false", "placeholder": "https://"})}
        help_texts = {"url": _("An http:// or https:// address.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.set_layout()

    def set_layout(self):
        columns = [Column("label", css_class="col-12 col-md-4"), Column("url", css_class="col-12 col-md-6")]
        if "DELETE" in self.fields:
            columns.append(Column("DELETE", css_class="col-12 col-md-2 align-self-center"))
        self.helper.layout = Layout(Row(*columns))

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not content.is_http_url(url):
            raise forms.ValidationError(_("Only http:// and https:// addresses can be linked."), code="scheme")
        return url


class BaseContentLinkFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        # The formset adds its "remove" box after the form is built: lay the row out again with it.
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
        form.set_layout()

    def link_inputs(self) -> list[content.LinkInput]:
        """The kept links, in the order shown, for `content.block_save`."""
        inputs = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("url"):
                continue
            existing = data.get("id")
            inputs.append(content.LinkInput(label=data["label"], url=data["url"], id=existing.pk if existing else None))
        return inputs


ContentLinkFormSet = forms.inlineformset_factory(
    ContentBlock, ContentLink, form=ContentLinkForm, formset=BaseContentLinkFormSet, extra=1, can_delete=True,
    max_num=12, validate_max=True,
)  # fmt: skip


class WalledGardenDomainForm(forms.ModelForm):
    """A domain for one site (or every site); the view sets `instance.site` before validation."""

    class Meta:
        model = WalledGardenDomain
        fields = ["domain", "note"]
        widgets = {"domain": forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"})}
        help_texts = {
            "domain": _("The host name only, e.g. www.caf.fr. “*.caf.fr” also opens every subdomain."),
            "note": _("Why visitors need it before accepting."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_domain(self):
        domain = content.domain_normalise(self.cleaned_data["domain"])
        # The site is not a form field, so ModelForm skips the (site, domain) constraints: check here.
        taken = WalledGardenDomain.objects.filter(site=self.instance.site, domain=domain).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This domain is already in the list."), code="unique")
        return domain


class EgressNetworkForm(forms.Form):
    """An internet address or network (CIDR) of one site; the view names the site."""

    network = forms.CharField(
        label=_("Internet address or network"), max_length=49,
        help_text=_("The public address of the site's internet connection, as seen from outside, e.g. "
                    "203.0.113.8 or 203.0.113.8/29, or an IPv6 network such as 2001:db8:12::/48."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.helper = _helper()

    def clean_network(self):
        network = normalise_network(self.cleaned_data["network"])
        if EgressNetwork.objects.filter(site=self.site, network=network).exists():
            raise forms.ValidationError(_("This network is already in the list."), code="unique")
        return network
