"""Forms of the status board: snoozing an AP's alerts, maintenance, filtering and working incidents, picking a month."""

import datetime
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites.models import Agent, Site
from wifi.incidents import ops_agents
from wifi.models import AccessPoint, AlertChannel, AlertEvent, Lifecycle

_DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Until 8:00 the next morning: a fault reported in the evening waits for the technicians' day.
MORNING = datetime.time(8, 0)
LONGEST_SNOOZE = datetime.timedelta(days=90)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class SnoozeForm(forms.Form):
    ONE_HOUR = "1h"
    FOUR_HOURS = "4h"
    TOMORROW = "tomorrow"
    UNTIL = "until"
    WAKE = "wake"

    choice = forms.ChoiceField(
        label=_("Silence the alerts of this access point"),
        choices=[
            (ONE_HOUR, _("For 1 hour")),
            (FOUR_HOURS, _("For 4 hours")),
            (TOMORROW, _("Until tomorrow 8:00")),
            (UNTIL, _("Until the date below")),
            (WAKE, _("No longer: alert again now")),
        ],
        widget=forms.RadioSelect,
        initial=ONE_HOUR,
    )
    until = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=_DATETIME_WIDGET,
        help_text=_("Only for “Until the date below”. At most 90 days ahead."),
    )

    def __init__(self, *args, now: datetime.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        if data.get("choice") == self.UNTIL:
            until = data.get("until")
            if until is None:
                self.add_error("until", _("Give the date and time the alerts resume."))
            elif until <= self.now:
                self.add_error("until", _("This date is already past."))
            elif until > self.now + LONGEST_SNOOZE:
                self.add_error("until", _("At most 90 days ahead: declare longer works as maintenance."))
        return data

    def snoozed_until(self) -> datetime.datetime | None:
        """The end of the silence, computed in the project's time zone (Europe/Paris)."""
        choice = self.cleaned_data["choice"]
        if choice == self.ONE_HOUR:
            return self.now + datetime.timedelta(hours=1)
        if choice == self.FOUR_HOURS:
            return self.now + datetime.timedelta(hours=4)
        if choice == self.TOMORROW:
            tz = timezone.get_default_timezone()
            tomorrow = timezone.localdate(self.now, tz) + datetime.timedelta(days=1)
            return datetime.datetime.combine(tomorrow, MORNING, tzinfo=tz)
        if choice == self.UNTIL:
            return self.cleaned_data["until"]
        return None


class _AccessPointChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.site} — {obj.label}"


class MaintenanceWindowForm(forms.Form):
    """Planned works on a site, or on one of its access points; only the agent's sites and APs are offered."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    access_point = _AccessPointChoice(
        label=_("Access point"),
        queryset=AccessPoint.objects.none(),
        required=False,
        empty_label=_("The whole site"),
        help_text=_("Leave empty when the works concern every access point of the site."),
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_DATETIME_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=200, help_text=_("E.g. cabling works, electrical cut."))

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.visible_to(agent).select_related("mds")
        self.fields["access_point"].queryset = (
            AccessPoint.objects.visible_to(agent).exclude(lifecycle=Lifecycle.RETIRED).select_related("site__mds")
        )
        self.helper = _helper()
        self.helper.layout = Layout(
            Row(Column("site", css_class="col-md-6"), Column("access_point", css_class="col-md-6")),
            Row(Column("starts_at", css_class="col-md-6"), Column("ends_at", css_class="col-md-6")),
            "reason",
        )

    def clean(self):
        data = super().clean()
        site, ap = data.get("site"), data.get("access_point")
        if site and ap and ap.site_id != site.pk:
            self.add_error("access_point", _("This access point belongs to another site."))
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


_DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=Agent.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = ops_agents()
        self.helper = _helper()


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was seen or done, who was called. Seen by ops and the agents of this MDS."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


_MONTH = re.compile(r"(\d{4})-(\d{2})")


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"}),
        help_text=_("Format: YYYY-MM."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.helper.disable_csrf = True

    def clean_month(self) -> datetime.date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        match = _MONTH.fullmatch(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise forms.ValidationError(_("Give a month as YYYY-MM, e.g. 2026-03."))
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def parse_month(value: str) -> datetime.date:
    """'YYYY-MM' to the first of that month; ValueError otherwise (for the management command)."""
    form = MonthForm({"month": value})
    if not value or not form.is_valid():
        raise ValueError(value)
    return form.cleaned_data["month"]


class AlertPreferencesForm(forms.Form):
    """ "Mes notifications": one checkbox per event and channel, rendered as a table (events × channels)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for event in AlertEvent:
            for channel in AlertChannel:
                # The label is read out for each box; the table's headers show the event and channel.
                self.fields[self.field_name(event, channel)] = forms.BooleanField(
                    required=False, label=f"{event.label} — {channel.label}"
                )

    @staticmethod
    def field_name(event: str, channel: str) -> str:
        return f"{event}__{channel}"

    @classmethod
    def initial_from(cls, choices: dict[str, set[str]]) -> dict[str, bool]:
        return {cls.field_name(e, c): c in channels for e, channels in choices.items() for c in AlertChannel}

    def rows(self) -> list[dict]:
        return [
            {"event": event, "boxes": [self[self.field_name(event, channel)] for channel in AlertChannel]}
            for event in AlertEvent
        ]

    def choices(self) -> dict[str, set[str]]:
        return {
            event: {c for c in AlertChannel if self.cleaned_data[self.field_name(event, c)]} for event in AlertEvent
        }
