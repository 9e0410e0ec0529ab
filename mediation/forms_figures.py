"""The figures page's filters (GET): an MDS and a site among the agent's, a range of months, a grouping."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from mediation.figures import LONGEST_PERIOD_MONTHS, GroupBy, default_period, months_between, site_label
from sites.models import Agent, Mds, Site
from wifi.forms_board import parse_month

_MONTH_WIDGET = forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})


class MonthField(forms.CharField):
    """A month as YYYY-MM (what <input type="month"> sends), cleaned to its first day."""

    widget = _MONTH_WIDGET

    def to_python(self, value: object) -> datetime.date | None:  # type: ignore[override]
        text = str(super().to_python(value)).strip()
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as error:
            raise forms.ValidationError(_("Give a month as YYYY-MM, e.g. 2026-03."), code="month") from error


class FiguresFilterForm(forms.Form):
    mds = forms.ModelChoiceField(label=_("MDS"), queryset=Mds.objects.none(), required=False,
                                 empty_label=_("Every MDS I see"))  # fmt: skip
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False,
                                  empty_label=_("Every site"))  # fmt: skip
    first_month = MonthField(label=_("From (month)"), help_text=_("Format: YYYY-MM."))
    last_month = MonthField(label=_("Until (month, included)"), help_text=_("Format: YYYY-MM."))
    group_by = forms.ChoiceField(label=_("Figures per"), choices=GroupBy.choices, required=False)

    def __init__(self, data: object = None, *, agent: Agent, **kwargs: object) -> None:
        first, last = default_period()
        data = data.copy() if data is not None else {}  # type: ignore[attr-defined]
        # The default period and grouping are written in the fields, so the page says what it shows.
        for name, default in (("first_month", f"{first:%Y-%m}"), ("last_month", f"{last:%Y-%m}"),
                              ("group_by", GroupBy.SITE)):  # fmt: skip
            if not data.get(name):
                data[name] = default
        super().__init__(data, **kwargs)
        # The choices are the agent's: an MDS or a site of another MDS is refused as an invalid choice.
        self.fields["mds"].queryset = Mds.objects.visible_to(agent).order_by("number")  # type: ignore[attr-defined]
        self.fields["site"].queryset = (  # type: ignore[attr-defined]
            Site.objects.visible_to(agent).select_related("mds").order_by("mds__number", "number")
        )
        self.fields["site"].label_from_instance = site_label  # type: ignore[attr-defined]  # "MDS — site", as the rows
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("mds", css_class="col-md-6"), Column("site", css_class="col-md-6")),
            Row(
                Column("first_month", css_class="col-sm-4"),
                Column("last_month", css_class="col-sm-4"),
                Column("group_by", css_class="col-sm-4"),
            ),
        )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        mds, site = data.get("mds"), data.get("site")
        if mds is not None and site is not None and site.mds_id != mds.pk:
            self.add_error("site", _("This site belongs to another MDS than the one chosen."))
        first, last = data.get("first_month"), data.get("last_month")
        if isinstance(first, datetime.date) and isinstance(last, datetime.date):
            if last < first:
                self.add_error("last_month", _("The period must end after it starts."))
            elif len(months_between(first, last)) > LONGEST_PERIOD_MONTHS:
                message = _("At most %(months)s months at a time.") % {"months": LONGEST_PERIOD_MONTHS}
                self.add_error("last_month", message)
        data["group_by"] = data.get("group_by") or GroupBy.SITE
        return data
