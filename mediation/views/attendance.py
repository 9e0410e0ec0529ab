"""Attendance, taken on a phone by the facilitator: one tap (one POST) per person, present or absent with a
reason, walk-ins added on the spot, then "session held", which fills the activity record by itself
(mediation.sessions). Works without JavaScript: each tap posts and comes back to the person's line. And the
session's attendance list as a CSV download, audited like every download of people's data."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from core.csv import csv_response
from core.permissions import ScopedPermissionRequiredMixin
from core.phone import phone_display
from mediation import sessions
from mediation.models import (
    AbsenceReason,
    Activity,
    AttendanceStatus,
    Registration,
    RegistrationStatus,
    SessionStatus,
    WorkshopSession,
)
from sites.lists import PersonalDataCsvView

TAKE = "mediation.change_registration"
WALK_IN = "mediation.add_registration"
MARK_HELD = "mediation.change_workshopsession"
VIEW_PEOPLE = "mediation.view_registration"


def _back_to(session_id: int, anchor: str = "") -> str:
    url = reverse("mediation_workshops:attendance", args=[session_id])
    return f"{url}#{anchor}" if anchor else url


class WalkInForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "off"}))  # fmt: skip
    phone = forms.CharField(label=gettext_lazy("Phone (optional)"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))  # fmt: skip


class AttendanceView(ScopedPermissionRequiredMixin, TemplateView):
    """The session's confirmed people, one line each with its buttons; the walk-in form; "session held"."""

    scoped_model = WorkshopSession
    permission_required = (VIEW_PEOPLE, TAKE)
    template_name = "mediation/backoffice/attendance.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("workshop", "site", "zone")

    def get_context_data(self, walk_in_form=None, **kwargs):
        session = self.scoped_object
        people = list(
            session.registrations.filter(status=RegistrationStatus.CONFIRMED).order_by("walk_in", "first_name", "pk")
        )
        count = {status: sum(1 for p in people if p.attendance == status) for status in AttendanceStatus.values}
        return super().get_context_data(
            session=session, people=people, count=count, reasons=AbsenceReason.choices,
            walk_in_form=walk_in_form or WalkInForm(), activity=Activity.objects.filter(session=session).first(),
            can_mark_held=session.status != SessionStatus.CANCELLED and session.starts_at <= timezone.now(),
            cancelled=session.status == SessionStatus.CANCELLED, held=session.status == SessionStatus.HELD,
        )  # fmt: skip


class MarkView(ScopedPermissionRequiredMixin, View):
    """One tap: `attendance=present`, or `attendance=absent` with `absence_reason`."""

    scoped_model = Registration
    permission_required = TAKE
    http_method_names = ["post"]

    def post(self, request, pk):
        registration = self.scoped_object
        attendance = request.POST.get("attendance", "")
        reason = request.POST.get("absence_reason", "")
        if attendance == AttendanceStatus.ABSENT and reason not in AbsenceReason.values:
            messages.error(request, _("Say why the person is absent."))
            return redirect(_back_to(registration.session_id, f"r{pk}"))
        try:
            sessions.attendance_set(registration=registration, actor=request.user, attendance=attendance,
                                    absence_reason=reason)  # fmt: skip
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect(_back_to(registration.session_id, f"r{pk}"))


class WalkInView(AttendanceView):
    """Someone came without registering: added present, in a free seat; by first name, or without any name."""

    permission_required = (VIEW_PEOPLE, TAKE, WALK_IN)
    http_method_names = ["post"]

    def post(self, request, pk):
        if request.POST.get("anonymous"):
            try:
                sessions.walk_in_add(session=self.scoped_object, actor=request.user, anonymous=True)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, _("A person without a name added, present."))
            return redirect(_back_to(pk, "walk-in"))
        form = WalkInForm(request.POST)
        if form.is_valid():
            try:
                walk_in = sessions.walk_in_add(session=self.scoped_object, actor=request.user,
                                               first_name=form.cleaned_data["first_name"],
                                               phone=form.cleaned_data["phone"])  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(name)s added, present.") % {"name": walk_in.first_name})
                return redirect(_back_to(pk, "walk-in"))
        return self.render_to_response(self.get_context_data(walk_in_form=form))


class MarkHeldView(ScopedPermissionRequiredMixin, View):
    """The session took place: its activity record is filled (or brought up to date) from the attendance."""

    scoped_model = WorkshopSession
    permission_required = MARK_HELD
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            sessions.session_mark_held(session=self.scoped_object, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            participants = Activity.objects.get(session_id=pk).participants
            messages.success(request, ngettext("Session held: its activity is recorded with %(count)s participant.",
                                               "Session held: its activity is recorded with %(count)s participants.",
                                               participants) % {"count": participants})  # fmt: skip
        return redirect(_back_to(pk))


class NoFilter(django_filters.FilterSet):
    class Meta:
        model = Registration
        fields: list[str] = []


class AttendanceCsvView(PersonalDataCsvView):
    """The session's registrations (every status) with their attendance, one line each."""

    model = Registration
    scoped_model = WorkshopSession
    permission_required = VIEW_PEOPLE
    filterset_class = NoFilter

    def refine_queryset(self, queryset):
        return queryset.filter(session=self.scoped_object).select_related("registered_by").order_by("created_at", "pk")

    def csv_response(self, rows):
        session = self.scoped_object
        header = [_("First name"), _("Phone"), _("Email"), _("Status"), _("Position on the waiting list"),
                  _("Attendance"), _("Reason for the absence"), _("Walk-in"), _("Registered by"),
                  _("Registered at")]  # fmt: skip
        lines = (
            [
                r.first_name,
                phone_display(r.phone) if r.phone else "",
                r.email,
                r.get_status_display(),
                r.position,
                r.get_attendance_display(),
                r.get_absence_reason_display() if r.absence_reason else "",
                r.walk_in,
                str(r.registered_by) if r.registered_by else _("Online"),
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
            for r in rows
        )
        day = timezone.localtime(session.starts_at)
        filename = f"presences-{day:%Y-%m-%d}-{slugify(session.workshop.title)}.csv"
        return csv_response([header, *lines], filename=filename)
