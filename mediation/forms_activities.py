"""The forms of one-to-one help (the quick log, a phone's page), of beneficiaries, mediators and trainings.

The quick log is radio buttons and checkboxes that look like big chips (mediation/quick_log.css): it works
without JavaScript, each choice is one tap, and the defaults (today, the usual site, 30 minutes, at the MDS) make
the shortest path duration-themes-age-outcome-save.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.boundfield import BoundWidget
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import PhoneNumberFormField
from mediation.models import (
    Accompaniment,
    AgeBand,
    AgentTraining,
    Autonomy,
    Beneficiary,
    Equipment,
    Gender,
    Mediator,
    Outcome,
    PlaceType,
    SocialStatus,
    Theme,
)
from mediation.team import agents_of
from sites.models import Agent, Mds, Site

DURATIONS = [(15, _("15 min")), (30, _("30 min")), (45, _("45 min")), (60, _("1 h")), (90, _("1 h 30")),
             (120, _("2 h"))]  # fmt: skip
YES_NO = [("yes", _("Yes")), ("no", _("No")), ("", _("Not known"))]
PROFILE_FIELDS = ("place_type", "equipment", "gender", "age_band", "social_status", "first_time", "commune",
                  "autonomy_before", "autonomy_after", "outcome", "redirected_to")  # fmt: skip


def _styled(form: forms.Form) -> None:
    """Bootstrap's classes on the fields the quick log's template draws itself (the chips have their own)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.widgets.Input) and not isinstance(
            widget, forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            widget.attrs.setdefault("class", "form-control")


def _chips(choices: Any, *, initial: Any = None, required: bool = False, label: Any = "") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, initial=initial, required=required,
                             widget=forms.RadioSelect)  # fmt: skip


class AccompanimentForm(forms.Form):
    """One accompaniment, new or corrected. `sites` are those where the agent may log one; `frequent` the themes
    shown first (the agent's most used)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), empty_label=None)
    duration_minutes = forms.TypedChoiceField(label=_("Duration"), choices=DURATIONS, coerce=int, initial=30,
                                              widget=forms.RadioSelect)  # fmt: skip
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one theme.")},
    )  # fmt: skip
    age_band = _chips(AgeBand.choices, initial=AgeBand.UNKNOWN, required=True, label=_("Age"))
    outcome = _chips(Outcome.choices, label=_("Outcome"))
    redirected_to = forms.CharField(label=_("Partner the person was redirected to"), max_length=200, required=False,
                                    help_text=_("E.g. CAF, France Travail."))  # fmt: skip
    place_type = _chips(PlaceType.choices, initial=PlaceType.MDS, required=True, label=_("Place"))
    equipment = forms.MultipleChoiceField(label=_("Equipment used"), choices=Equipment.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)  # fmt: skip
    gender = _chips(Gender.choices, label=_("Gender (optional)"))
    social_status = _chips(SocialStatus.choices, initial=SocialStatus.UNKNOWN, required=True, label=_("Status"))
    first_time = _chips(YES_NO, initial="", label=_("First accompaniment?"))
    commune = forms.CharField(label=_("Commune (optional)"), max_length=120, required=False)
    autonomy_before = _chips(Autonomy.choices, label=_("Autonomy before"))
    autonomy_after = _chips(Autonomy.choices, label=_("Autonomy after"))

    def __init__(self, *args: Any, sites: QuerySet[Site], frequent: list[Theme], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["themes"].queryset = Theme.objects.active().order_by("order", "code")
        self.frequent_rank = {theme.pk: rank for rank, theme in enumerate(frequent)}
        self.fields["date"].initial = timezone.localdate
        _styled(self)

    @classmethod
    def initial_of(cls, accompaniment: Accompaniment) -> dict[str, Any]:
        """The form's values for correcting an accompaniment."""
        activity = accompaniment.activity
        initial: dict[str, Any] = {name: getattr(accompaniment, name) for name in PROFILE_FIELDS}
        initial["first_time"] = {True: "yes", False: "no", None: ""}[accompaniment.first_time]
        themes = list(activity.themes.all())
        return initial | {"date": activity.date, "site": activity.site_id,
                          "duration_minutes": activity.duration_minutes, "themes": themes}  # fmt: skip

    def theme_chips(self) -> tuple[list[BoundWidget], list[BoundWidget]]:
        """The theme checkboxes split in two: the frequent ones, most used first, then all the others."""
        frequent, others = [], []
        for chip in self["themes"]:
            (frequent if chip.data["value"].value in self.frequent_rank else others).append(chip)
        return sorted(frequent, key=lambda chip: self.frequent_rank[chip.data["value"].value]), others

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("outcome") == Outcome.REDIRECTED and not data.get("redirected_to"):
            self.add_error("redirected_to", _("Say which partner the person was redirected to."))
        if data.get("outcome") != Outcome.REDIRECTED:
            data["redirected_to"] = ""
        return data

    def profile(self) -> dict[str, Any]:
        """The Accompaniment's own fields, as `accompaniment_log` takes them."""
        data = self.cleaned_data
        profile = {name: data[name] for name in PROFILE_FIELDS}
        profile["first_time"] = {"yes": True, "no": False}.get(data["first_time"])
        return profile


class RecontactForm(forms.Form):
    """The optional part of the quick log: the person agrees to be contacted again, and says how."""

    recontact = forms.BooleanField(label=_("The person agrees to be contacted again"), required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    phone = PhoneNumberFormField(label=_("Phone"), required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("recontact"):
            if not data.get("first_name"):
                self.add_error("first_name", _("Give the person's first name."))
            if not (data.get("phone") or data.get("email")):
                self.add_error("phone", _("Give a phone number or an email address to contact the person again."))
        return data


class BeneficiaryMergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(label=_("Duplicate record to merge into this one"),
                                       queryset=Beneficiary.objects.none())  # fmt: skip
    confirm = forms.BooleanField(label=_("I have checked that both records are the same person."), required=True)

    def __init__(self, *args: Any, candidates: QuerySet[Beneficiary], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = candidates


def _allowed_mds(agent: Agent, permission: str) -> QuerySet[Mds]:
    """The MDS where the agent holds `permission`: a forged id of another MDS is an invalid choice."""
    allowed = [mds.pk for mds in Mds.objects.visible_to(agent) if agent.has_perm(permission, mds)]
    return Mds.objects.filter(pk__in=allowed).order_by("number")


class _OfOneMds(forms.ModelForm):
    """A record of one MDS naming its agents and sites: the choices are those of the MDS picked (or of the
    record's MDS when editing); a choice of another MDS is refused by the service too."""

    permission = ""

    def __init__(self, *args: Any, agent: Agent, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["mds"].queryset = _allowed_mds(agent, self.permission)
        self.fields["mds"].empty_label = None
        mds_id = self.data.get("mds") or self.initial.get("mds") or getattr(self.instance, "mds_id", None)
        if mds_id is None and self.fields["mds"].queryset.count() == 1:
            mds_id = self.fields["mds"].queryset.get().pk
        mds = Mds.objects.filter(pk=mds_id).first() if str(mds_id or "").isdigit() else None
        self.narrow(mds)

    def narrow(self, mds: Mds | None) -> None:
        raise NotImplementedError


class MediatorForm(_OfOneMds):
    permission = "mediation.add_mediator"

    class Meta:
        model = Mediator
        fields = ["mds", "agent", "kind", "school", "diploma", "internship_starts_on", "internship_ends_on",
                  "tutor", "sites"]  # fmt: skip
        widgets = {
            "internship_starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "internship_ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sites": forms.CheckboxSelectMultiple,
        }

    def narrow(self, mds: Mds | None) -> None:
        agents = agents_of(mds)
        # One record per agent: those who have none yet, and this record's own agent.
        self.fields["agent"].queryset = agents.filter(Q(mediator__isnull=True) | Q(mediator__pk=self.instance.pk))
        self.fields["tutor"].queryset = agents
        self.fields["sites"].queryset = Site.objects.filter(mds=mds).order_by("number", "pk")
        self.fields["sites"].required = False


class TrainingForm(_OfOneMds):
    permission = "mediation.add_agenttraining"

    class Meta:
        model = AgentTraining
        fields = ["mds", "topic", "trainer", "date", "online", "site", "duration_minutes", "attendees"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "attendees": forms.CheckboxSelectMultiple}  # fmt: skip

    def narrow(self, mds: Mds | None) -> None:
        self.fields["mds"].required = True
        self.fields["site"].queryset = Site.objects.filter(mds=mds).order_by("number", "pk")
        self.fields["attendees"].queryset = agents_of(mds)
        self.fields["attendees"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("online"):
            data["site"] = None
        elif not data.get("site"):
            self.add_error("site", ValidationError(_("Choose the site, or tick “online”.")))
        return data
