"""The asset register's forms: access points by serial number, other equipment by label, a serial to look up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.assets import serials_parse
from sites.models import Site

_SERIAL_ATTRS = {"spellcheck": "false", "autocomplete": "off", "autocapitalize": "characters"}


class AccessPointsRegisterForm(forms.Form):
    serial_numbers = forms.CharField(
        label=_("Serial numbers of the access points"),
        help_text=_(
            "One a line (or separated by spaces or commas), as in the WiFi inventory and on the delivery note."
        ),
        widget=forms.Textarea(attrs={"rows": 4, **_SERIAL_ATTRS}),
        max_length=20000,
        error_messages={"required": _("Give at least one serial number.")},
    )

    def clean_serial_numbers(self) -> list[str]:
        return serials_parse(self.cleaned_data["serial_numbers"])


class EquipmentRegisterForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        help_text=_("What it is, e.g. “Captive portal server” or “Controller licence”."),
    )
    serial_number = forms.CharField(
        label=_("Serial number or licence key"), max_length=80, required=False, widget=forms.TextInput(_SERIAL_ATTRS)
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("No MDS site (central equipment)"),
    )

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = (
            Site.objects.visible_to(agent).select_related("mds").order_by("mds__number", "number")
        )
        self.fields["site"].label_from_instance = lambda site: f"{site.mds.name} — {site}"


class SerialLookupForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number of an access point"), max_length=80, widget=forms.TextInput(_SERIAL_ATTRS)
    )
