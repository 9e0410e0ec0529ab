"""Forms of the WiFi inventory: an access point of a site, a move along its lifecycle, a CSV import."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wifi.inventory import allowed_moves
from wifi.models import AccessPoint
from wifi.probes.loading import probe_choices


def credential_choices(current: str = "") -> list[tuple[str, str]]:
    """The names of the credential sets in WIFI_CREDENTIALS, never their content."""
    return secret_name_choices(settings.WIFI_CREDENTIALS, current)


def secret_name_choices(configured, current: str = "") -> list[tuple[str, str]]:
    """The names of a setting's secrets (WIFI_CREDENTIALS, WIFI_WEBHOOK_SECRETS), never their content."""
    names = sorted(configured)
    choices = [("", _("None"))] + [(name, name) for name in names]
    if current and current not in names:
        # Keep a name set by an import or before a configuration change, so editing does not erase it.
        choices.append((current, _("%(name)s (not configured)") % {"name": current}))
    return choices


def polling_method_choices(current: str = "") -> list[tuple[str, str]]:
    """The methods configured in WIFI_PROBES, with their drivers' labels."""
    choices = probe_choices()
    if current and current not in dict(choices):
        # Shown rather than silently replaced by the first method: saving then says it is not configured.
        choices.append((current, _("%(name)s (not configured)") % {"name": current}))
    return choices


class AccessPointForm(forms.ModelForm):
    """An access point of one site; the view sets `instance.site` before building the form."""

    credential_name = forms.ChoiceField(
        label=_("Credential set"),
        required=False,
        help_text=_("The name of a set of polling secrets configured on the server (WIFI_CREDENTIALS)."),
    )

    class Meta:
        model = AccessPoint
        fields = [
            "label", "zone", "vendor", "hardware_model", "serial_number", "mac_address", "management_address",
            "probe_kind", "probe_port", "probe_settings", "credential_name", "notes",
        ]  # fmt: skip
        widgets = {
            "mac_address": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
            "management_address": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
            "serial_number": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
            "probe_port": forms.NumberInput(attrs={"min": 1, "max": 65535, "inputmode": "numeric"}),
            "probe_settings": forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "font-monospace"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "mac_address": _("12 hexadecimal digits, e.g. f0:9f:c2:12:34:56."),
            "probe_settings": _(
                'A JSON object of the polling method\'s settings, e.g. {"path": "/status", "clients_path": '
                '"stats.clients"} for HTTP. No secrets.'
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = self.instance.site.zones.order_by("name")
        self.fields["zone"].empty_label = _("No zone")
        self.fields["zone"].label_from_instance = lambda zone: zone.name  # the site is the page's
        self.fields["credential_name"].choices = credential_choices(self.instance.credential_name)
        self.fields["probe_kind"].choices = polling_method_choices(self.instance.probe_kind)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Access point"),
                Row(Column("label", css_class="col-md-6"), Column("zone", css_class="col-md-6")),
                Row(Column("vendor", css_class="col-md-6"), Column("hardware_model", css_class="col-md-6")),
                Row(Column("serial_number", css_class="col-md-6"), Column("mac_address", css_class="col-md-6")),
            ),
            Fieldset(
                _("Polling"),
                "management_address",
                Row(Column("probe_kind", css_class="col-md-6"), Column("probe_port", css_class="col-md-6")),
                "probe_settings",
                "credential_name",
            ),
            "notes",
        )

    def clean_label(self):
        # The site is not a form field, so ModelForm skips the (site, label) constraint: check it here.
        label = self.cleaned_data["label"].strip()
        taken = AccessPoint.objects.filter(site=self.instance.site, label__iexact=label).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This site already has an access point with this label."), code="unique")
        return label

    def clean_probe_settings(self):
        # An emptied box means no settings; what the settings may hold is the driver's to say (AccessPoint.clean).
        value = self.cleaned_data.get("probe_settings")
        return {} if value in (None, "") else value


class LifecycleMoveForm(forms.Form):
    """The next step of one access point and the day it was reached."""

    to = forms.ChoiceField(label=_("New step"))
    on = forms.DateField(
        label=_("Date"),
        help_text=_("The day the access point reached this step."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, access_point: AccessPoint, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())  # TIME_ZONE: Europe/Paris
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(step.value, step.label) for step in allowed_moves(access_point.lifecycle)]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future: record a step once it is reached."))
        return on


class InventoryImportForm(forms.Form):
    """An inventory CSV to check (nothing is written until the report is confirmed)."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "The columns of the inventory export; “;” or “,”; UTF-8 or Windows-1252 (Excel “CSV (separator: ;)”)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    partial = forms.BooleanField(
        label=_("Import the valid lines even if others are wrong"),
        required=False,
        help_text=_("Otherwise one wrong line keeps the whole file out."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.WIFI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s): the limit is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                code="too_large",
            )
        return upload


class InventoryImportConfirmForm(forms.Form):
    """The token of a checked file kept on the server: the client names no file and no path."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
