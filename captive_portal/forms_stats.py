"""The statistics page's period and site selector (GET)."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from captive_portal.stats import CsvTable, visible_sites

DEFAULT_DAYS = 30
LONGEST_PERIOD = datetime.timedelta(days=366)
_DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 30 days, today included (Paris time)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=DEFAULT_DAYS - 1), today


class StatsPeriodForm(forms.Form):
    first_day = forms.DateField(label=_("From"), widget=_DATE_WIDGET)
    last_day = forms.DateField(label=_("Until"), widget=_DATE_WIDGET)
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, required=False, empty_label=_("All your sites"))
    table = forms.ChoiceField(choices=[(t, t) for t in CsvTable.ALL], required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, agent, **kwargs):
        first_day, last_day = default_period()
        data = data.copy() if data is not None else {}
        # The default period is written in the fields, so the page says which it shows.
        if not data.get("first_day"):
            data["first_day"] = first_day.isoformat()
        if not data.get("last_day"):
            data["last_day"] = last_day.isoformat()
        super().__init__(data, **kwargs)
        self.fields["site"].queryset = visible_sites(agent)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("first_day", css_class="col-md-4"),
                Column("last_day", css_class="col-md-4"),
                Column("site", css_class="col-md-4"),
            )
        )

    def clean(self):
        data = super().clean()
        first_day, last_day = data.get("first_day"), data.get("last_day")
        if first_day and last_day:
            if last_day < first_day:
                self.add_error("last_day", _("The period must end after it starts."))
            elif last_day - first_day >= LONGEST_PERIOD:
                self.add_error("last_day", _("At most one year at a time."))
        return data
