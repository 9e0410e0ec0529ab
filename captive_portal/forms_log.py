"""The legal connection log's search form: a requisition's reference, a reason, a window of at most 31 days."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from captive_portal.legal_log import MAX_WINDOW, LogCriteria
from core.mac import normalise_mac
from sites.models import Site

_DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LogSearchForm(forms.Form):
    reference = forms.CharField(
        label=_("Requisition reference"),
        max_length=200,
        help_text=_("As written on the requisition, e.g. “PV 2026/1234 — TJ Marseille”."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the requisition asks for, in a sentence. Kept in the audit trail with the reference."),
    )
    starts_at = forms.DateTimeField(label=_("From"), widget=_DATETIME_WIDGET, help_text=_("Paris time."))
    ends_at = forms.DateTimeField(label=_("Until"), widget=_DATETIME_WIDGET, help_text=_("At most 31 days later."))
    mac = forms.CharField(
        label=_("Device MAC address"),
        required=False,
        max_length=40,
        help_text=_("Any format: aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or 12 digits."),
    )
    ip = forms.GenericIPAddressField(label=_("Device IP address"), required=False, unpack_ipv4=True)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.select_related("mds"), required=False, empty_label=_("All sites")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("reference", css_class="col-md-6"), Column("reason", css_class="col-md-6")),
            Row(Column("starts_at", css_class="col-md-6"), Column("ends_at", css_class="col-md-6")),
            Row(
                Column("mac", css_class="col-md-4"),
                Column("ip", css_class="col-md-4"),
                Column("site", css_class="col-md-4"),
            ),
        )

    def clean_mac(self) -> str:
        value = self.cleaned_data["mac"].strip()
        return normalise_mac(value) if value else ""

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at:
            if ends_at <= starts_at:
                self.add_error("ends_at", _("The end must come after the start."))
            elif ends_at - starts_at > MAX_WINDOW:
                raise ValidationError(
                    _("A search covers at most 31 days: split the requisition's period into several searches."),
                    code="window_too_long",
                )
        return data

    def criteria(self) -> LogCriteria:
        data = self.cleaned_data
        return LogCriteria(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            mac=data["mac"],
            ip=data["ip"] or "",
            site_id=data["site"].pk if data["site"] else None,
        )
