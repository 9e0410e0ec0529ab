"""The agents' appointments: the list and its CSV export (one row per appointment), the day/week calendar, the
booking form (for a request, `?request=<id>`, or a walk-in), an appointment's page with its attendance and
cancel buttons, and the private iCal feed. Every row comes from `visible_to(agent)`; writes go through
accueil.appointments."""

import datetime as dt
import hashlib
import secrets

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accueil import appointments, ical
from accueil.models import Appointment, Attendance, CalendarFeedToken, ContactRequest, Motif, Person
from core.csv import csv_response
from core.lists import ScopedListView, SearchFilter, Table, visible
from core.permissions import ScopedPermissionRequiredMixin
from sites.audit import record_event
from sites.lists import PersonalDataCsvView
from sites.models import Agent, Site, Zone

VIEW = "accueil.view_appointment"
BOOK = "accueil.add_appointment"
CHANGE = "accueil.change_appointment"


# --- List and export --------------------------------------------------------------------------------------


class AppointmentFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("person__last_name", "person__first_name", "motif__name"),
                     help_text=gettext_lazy("Person or motif."))  # fmt: skip
    motif = django_filters.ModelChoiceFilter(label=gettext_lazy("Motif"), queryset=visible(Motif, order_by=("name",)),
                                             empty_label=gettext_lazy("Every motif"))  # fmt: skip
    attendance = django_filters.ChoiceFilter(label=gettext_lazy("Attendance"), choices=Attendance.choices,
                                             empty_label=gettext_lazy("Any attendance"))  # fmt: skip
    after = django_filters.DateFilter(label=gettext_lazy("From"), field_name="starts_at", lookup_expr="date__gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    before = django_filters.DateFilter(label=gettext_lazy("Until"), field_name="starts_at", lookup_expr="date__lte",
                                       widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    class Meta:
        model = Appointment
        fields = ["q", "motif", "attendance", "after", "before"]


class AppointmentTable(Table):
    caption = gettext_lazy("Appointments")
    starts_at = tables.TemplateColumn(
        '<a href="{% url \'accueil_appointments:detail\' record.pk %}">{{ record.starts_at|date:"D j M Y H:i" }}</a>',
        verbose_name=gettext_lazy("When"), order_by=("starts_at", "pk"),
    )  # fmt: skip
    person = tables.TemplateColumn("<bdi>{{ record.person }}</bdi>", verbose_name=gettext_lazy("Person"),
                                   order_by=("person__last_name", "pk"))  # fmt: skip
    motif = tables.Column(verbose_name=gettext_lazy("Motif"), order_by=("motif__name", "starts_at"))
    agent = tables.Column(verbose_name=gettext_lazy("Agent"), order_by=("agent__last_name", "starts_at"))
    site = tables.TemplateColumn("{{ record.site.name|default:record.mds.name }}", verbose_name=gettext_lazy("Site"),
                                 orderable=False)  # fmt: skip
    attendance = tables.Column(verbose_name=gettext_lazy("Attendance"), order_by=("attendance", "starts_at"))

    class Meta(Table.Meta):
        model = Appointment
        fields = ()
        sequence = ("starts_at", "person", "motif", "agent", "site", "attendance")


class AppointmentListView(ScopedListView):
    model = Appointment
    permission_required = VIEW
    template_name = "accueil/appointments/list.html"
    table_class = AppointmentTable
    filterset_class = AppointmentFilter

    def refine_queryset(self, queryset):
        return queryset.select_related("person", "motif", "agent", "site", "mds").order_by("-starts_at", "-pk")


class AppointmentCsvView(PersonalDataCsvView, AppointmentListView):
    """One row per appointment, as filtered on the list."""

    def csv_response(self, rows):
        header = [_("Start"), _("End"), _("MDS"), _("Site"), _("Agent"), _("Motif"), _("Person"), _("Phone"),
                  _("Email"), _("Booked by"), _("Attendance"), _("Cancelled at"), _("Request")]  # fmt: skip
        local = timezone.localtime
        lines = (
            [
                f"{local(a.starts_at):%Y-%m-%d %H:%M}",
                f"{local(a.ends_at):%Y-%m-%d %H:%M}",
                a.mds.name,
                a.site.name,
                str(a.agent),
                a.motif.name,
                str(a.person),
                a.person.phone,
                a.person.email,
                a.get_booked_by_display(),
                a.get_attendance_display(),
                f"{local(a.cancelled_at):%Y-%m-%d %H:%M}" if a.cancelled_at else "",
                a.request.display_reference if a.request else "",
            ]
            for a in rows.select_related("request")
        )
        return csv_response([header, *lines], filename=f"rendez-vous-{timezone.localdate():%Y-%m-%d}.csv")


# --- Calendar ---------------------------------------------------------------------------------------------


class CalendarView(ScopedPermissionRequiredMixin, TemplateView):
    """A day or a week of appointments, of one agent (the signed-in one by default) or of everyone seen."""

    permission_required = VIEW
    template_name = "accueil/appointments/calendar.html"

    def get_context_data(self, **kwargs):
        try:
            day = dt.date.fromisoformat(self.request.GET.get("day", ""))
        except ValueError:
            day = timezone.localdate()
        span = "day" if self.request.GET.get("span") == "day" else "week"
        first = day if span == "day" else day - dt.timedelta(days=day.weekday())
        days = 1 if span == "day" else 7
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time.min, tzinfo=zone)
        agents = Agent.objects.visible_to(self.request.user).order_by("last_name", "first_name")
        agent_id = self.request.GET.get("agent", "")
        rows = (
            Appointment.objects.visible_to(self.request.user)
            .filter(starts_at__gte=start, starts_at__lt=end)
            .select_related("person", "motif", "agent", "site", "mds")
            .order_by("starts_at", "pk")
        )
        if agent_id.isdigit():
            rows = rows.filter(agent_id=int(agent_id))
        by_day: dict[dt.date, list[Appointment]] = {first + dt.timedelta(days=n): [] for n in range(days)}
        for row in rows:
            by_day[timezone.localtime(row.starts_at).date()].append(row)
        step = dt.timedelta(days=days)
        return super().get_context_data(
            span=span, first=first, by_day=by_day, agents=agents, agent_id=agent_id,
            previous=first - step, next=first + step, today=timezone.localdate(), **kwargs,
        )  # fmt: skip


# --- Booking ----------------------------------------------------------------------------------------------


class BookingForm(forms.Form):
    motif = forms.ModelChoiceField(label=gettext_lazy("Motif"), queryset=Motif.objects.none())
    agent = forms.ModelChoiceField(label=gettext_lazy("Agent"), queryset=Agent.objects.none())
    site = forms.ModelChoiceField(label=gettext_lazy("Site"), queryset=Site.objects.none())
    room = forms.ModelChoiceField(label=gettext_lazy("Room"), queryset=Zone.objects.none(), required=False)
    starts_at = forms.DateTimeField(label=gettext_lazy("Start"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))  # fmt: skip
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)

    def __init__(self, *args, agent, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["motif"].queryset = Motif.objects.visible_to(agent).filter(active=True).select_related("mds")
        self.fields["agent"].queryset = Agent.objects.visible_to(agent).order_by("last_name", "first_name")
        self.fields["site"].queryset = Site.objects.visible_to(agent).select_related("mds")
        self.fields["room"].queryset = Zone.objects.visible_to(agent).select_related("site")
        self.fields["agent"].initial = agent.pk
        if person is not None:
            for name in ("first_name", "last_name", "phone", "email"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.person is None and not data.get("last_name"):
            self.add_error("last_name", _("Give the person's name."))
        return data


class BookView(ScopedPermissionRequiredMixin, View):
    """Book an appointment for a request (?request=<id>, its person found or made from its contact details) or
    for a walk-in (the person's name and contact typed here)."""

    permission_required = BOOK
    template_name = "accueil/appointments/book.html"

    def _request(self) -> ContactRequest | None:
        request_id = self.request.GET.get("request", "")
        if not request_id:
            return None
        if not request_id.isdigit():
            raise Http404
        return get_object_or_404(ContactRequest.objects.visible_to(self.request.user), pk=request_id)

    def _render(self, form, contact_request):
        return render(self.request, self.template_name, {"form": form, "contact_request": contact_request})

    def get(self, request):
        contact_request = self._request()
        return self._render(self._form(None, contact_request), contact_request)

    def _form(self, data, contact_request):
        person = contact_request.person if contact_request else None
        form = BookingForm(data, agent=self.request.user, person=person)
        if contact_request and person is None:
            form.initial.update(first_name=contact_request.first_name, last_name=contact_request.last_name,
                                phone=contact_request.phone, email=contact_request.email)  # fmt: skip
        return form

    def post(self, request):
        contact_request = self._request()
        form = self._form(request.POST, contact_request)
        if not form.is_valid():
            return self._render(form, contact_request)
        data = form.cleaned_data
        self.check_object_permission(data["motif"])
        try:
            with transaction.atomic():
                person = form.person or Person.objects.create(
                    mds=data["motif"].mds, first_name=data["first_name"], last_name=data["last_name"],
                    phone=data["phone"], email=data["email"], created_by=request.user,
                )  # fmt: skip
                appointment = appointments.appointment_book(
                    actor=request.user, motif=data["motif"], agent=data["agent"], site=data["site"],
                    room=data["room"], starts_at=data["starts_at"], person=person, request=contact_request,
                )  # fmt: skip
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self._render(form, contact_request)
        messages.success(request, _("Appointment booked."))
        return redirect("accueil_appointments:detail", pk=appointment.pk)


# --- One appointment --------------------------------------------------------------------------------------


class AppointmentDetailView(ScopedPermissionRequiredMixin, TemplateView):
    scoped_model = Appointment
    permission_required = VIEW
    template_name = "accueil/appointments/detail.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("person", "motif", "agent", "site", "room", "request")

    def get_context_data(self, **kwargs):
        choices = [(value, label) for value, label in Attendance.choices
                   if value not in (Attendance.CANCELLED, Attendance.EXCUSED)]  # fmt: skip
        return super().get_context_data(appointment=self.scoped_object, attendance_choices=choices, **kwargs)


class AttendanceView(ScopedPermissionRequiredMixin, View):
    scoped_model = Appointment
    permission_required = CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            appointments.appointment_attendance_set(appointment=self.scoped_object, actor=request.user,
                                                    attendance=request.POST.get("attendance", ""))  # fmt: skip
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Attendance recorded."))
        return redirect("accueil_appointments:detail", pk=pk)


class CancelView(ScopedPermissionRequiredMixin, View):
    scoped_model = Appointment
    permission_required = CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        appointments.appointment_cancel(appointment=self.scoped_object, actor=request.user)
        messages.success(request, _("Appointment cancelled."))
        return redirect("accueil_appointments:detail", pk=pk)


# --- Private iCal feed ------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FeedView(LoginRequiredMixin, View):
    """The agent's own feed: make one (its URL shown once: only its hash is kept), or revoke it."""

    template_name = "accueil/appointments/feed.html"

    def get(self, request):
        active = CalendarFeedToken.objects.filter(agent=request.user, revoked_at__isnull=True).first()
        return render(request, self.template_name, {"active": active})

    def post(self, request):
        with transaction.atomic():
            now = timezone.now()
            for old in CalendarFeedToken.objects.select_for_update().filter(agent=request.user,
                                                                             revoked_at__isnull=True):  # fmt: skip
                old.revoked_at = now
                old.save(update_fields=["revoked_at"])
                record_event(actor=request.user, instance=request.user, subject="calendar_feed", event="revoked")
            if request.POST.get("action") == "revoke":
                messages.success(request, _("Calendar feed revoked: its address no longer answers."))
                return redirect("accueil_appointments:feed")
            token = secrets.token_urlsafe(32)
            active = CalendarFeedToken.objects.create(agent=request.user, token_hash=_token_hash(token))
            record_event(actor=request.user, instance=request.user, subject="calendar_feed", event="created")
        url = request.build_absolute_uri(reverse("accueil_appointments:ical", args=[token]))
        return render(request, self.template_name, {"active": active, "url": url})


def ical_feed(request, token: str) -> HttpResponse:
    """The agent's appointments as iCalendar: no sign-in (calendar apps cannot), the secret URL is the key."""
    feed = (
        CalendarFeedToken.objects.select_related("agent")
        .filter(token_hash=_token_hash(token), revoked_at__isnull=True, agent__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    since = timezone.now() - dt.timedelta(days=30)
    rows = (
        Appointment.objects.active()
        .filter(agent=feed.agent, starts_at__gte=since)
        .select_related("motif", "site", "person")
        .order_by("starts_at")
    )
    response = HttpResponse(ical.calendar(rows, host=request.get_host()), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
