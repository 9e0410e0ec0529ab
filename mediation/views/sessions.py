"""The agents' workshop sessions: the list (upcoming or past, by MDS, site, status, period), the create/edit form,
the cancellation (confirmed, POST only), and a session's page with its registrations — register someone on their
behalf, cancel a registration, offer the free seats to the waiting list. Writes go through mediation.sessions and
mediation.registrations."""

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.lists import ScopedListView, SearchFilter, Table, visible
from core.permissions import ScopedPermissionRequiredMixin
from mediation import registrations, sessions
from mediation.models import Registration, RegistrationStatus, SessionStatus, Workshop, WorkshopSession
from sites.models import Agent, Mds, Site, Zone

VIEW = "mediation.view_workshopsession"
ADD = "mediation.add_workshopsession"
CHANGE = "mediation.change_workshopsession"
VIEW_PEOPLE = "mediation.view_registration"
REGISTER = "mediation.add_registration"
CHANGE_REGISTRATION = "mediation.change_registration"

UPCOMING, PAST = "upcoming", "past"


def _period(queryset, name, value):
    now = timezone.now()
    if value == UPCOMING:
        return queryset.filter(ends_at__gte=now)
    if value == PAST:
        return queryset.filter(ends_at__lt=now)
    return queryset


class SessionFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("workshop__title",), help_text=gettext_lazy("Workshop title."))
    period = django_filters.ChoiceFilter(
        label=gettext_lazy("Period"), choices=[(UPCOMING, gettext_lazy("To come")), (PAST, gettext_lazy("Past"))],
        empty_label=gettext_lazy("Any time"), method=_period,
    )  # fmt: skip
    mds = django_filters.ModelChoiceFilter(label=gettext_lazy("MDS"), field_name="workshop__mds",
                                           queryset=visible(Mds, order_by=("number",)),
                                           empty_label=gettext_lazy("All MDS"))  # fmt: skip
    site = django_filters.ModelChoiceFilter(label=gettext_lazy("Site"), queryset=visible(Site, order_by=("name",)),
                                            empty_label=gettext_lazy("Every site"))  # fmt: skip
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=SessionStatus.choices,
                                         empty_label=gettext_lazy("Any status"))  # fmt: skip
    after = django_filters.DateFilter(label=gettext_lazy("From"), field_name="starts_at", lookup_expr="date__gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    before = django_filters.DateFilter(label=gettext_lazy("Until"), field_name="starts_at", lookup_expr="date__lte",
                                       widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    class Meta:
        model = WorkshopSession
        fields = ["q", "period", "mds", "site", "status", "after", "before"]


class SessionTable(Table):
    caption = gettext_lazy("Sessions")
    starts_at = tables.TemplateColumn(
        '<a href="{% url \'mediation_workshops:session\' record.pk %}">{{ record.starts_at|date:"D j M Y H:i" }}</a>',
        verbose_name=gettext_lazy("When"), order_by=("starts_at", "pk"),
    )  # fmt: skip
    workshop = tables.Column(verbose_name=gettext_lazy("Workshop"), order_by=("workshop__title", "starts_at"))
    site = tables.TemplateColumn("{{ record.site.name }}{% if record.zone %} · {{ record.zone.name }}{% endif %}",
                                 verbose_name=gettext_lazy("Site"), order_by=("site__name", "starts_at"))  # fmt: skip
    seats = tables.TemplateColumn("{{ record.confirmed }}/{{ record.capacity }}", verbose_name=gettext_lazy("Seats"),
                                  order_by=("confirmed", "starts_at"))  # fmt: skip
    waiting = tables.Column(verbose_name=gettext_lazy("Waiting"), order_by=("waiting", "starts_at"))
    status = tables.Column(verbose_name=gettext_lazy("Status"), order_by=("status", "starts_at"))

    class Meta(Table.Meta):
        model = WorkshopSession
        fields = ()
        sequence = ("starts_at", "workshop", "site", "seats", "waiting", "status")


class SessionListView(ScopedListView):
    model = WorkshopSession
    permission_required = VIEW
    template_name = "mediation/backoffice/sessions.html"
    table_class = SessionTable
    filterset_class = SessionFilter

    def refine_queryset(self, queryset):
        return (
            queryset.select_related("workshop", "site", "zone")
            .annotate(
                confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
                waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
            )
            .order_by("starts_at", "pk")
        )


class FacilitatorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Agent) -> str:
        return obj.get_full_name() or obj.email


class SessionForm(forms.ModelForm):
    facilitators = FacilitatorChoice(label=gettext_lazy("Facilitators"), queryset=Agent.objects.none(),
                                     required=False, widget=forms.CheckboxSelectMultiple)  # fmt: skip

    class Meta:
        model = WorkshopSession
        fields = ["workshop", "site", "zone", "starts_at", "ends_at", "capacity", "facilitators", "notes"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = Workshop.objects.visible_to(agent).filter(active=True).select_related("mds")
        self.fields["site"].queryset = Site.objects.visible_to(agent).select_related("mds").order_by("name")
        self.fields["zone"].queryset = Zone.objects.visible_to(agent).select_related("site").order_by("name")
        self.fields["facilitators"].queryset = Agent.objects.visible_to(agent).order_by("last_name", "first_name")
        if self.instance.pk is not None:
            # A session stays a session of its workshop (its registrations were made for it).
            self.fields["workshop"].disabled = True
            self.fields["workshop"].queryset = Workshop.objects.visible_to(agent).select_related("mds")


class SessionFormView(ScopedPermissionRequiredMixin, View):
    template_name = "mediation/backoffice/session_form.html"

    def _render(self, form):
        return render(self.request, self.template_name, {"form": form, "session": self.scoped_object})

    def get(self, request, **kwargs):
        form = SessionForm(instance=self.scoped_object, agent=request.user)
        workshop = request.GET.get("workshop", "")
        if self.scoped_object is None and workshop.isdigit():
            form.initial["workshop"] = int(workshop)
        return self._render(form)

    def post(self, request, **kwargs):
        form = SessionForm(request.POST, instance=self.scoped_object, agent=request.user)
        if not form.is_valid():
            return self._render(form)
        session = form.save(commit=False)
        self.check_object_permission(session.workshop)
        try:
            session = sessions.session_save(session=session, actor=request.user,
                                            facilitators=form.cleaned_data["facilitators"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form)
        messages.success(request, _("Session saved."))
        return redirect("mediation_workshops:session", pk=session.pk)


class SessionCreateView(SessionFormView):
    permission_required = ADD


class SessionEditView(SessionFormView):
    scoped_model = WorkshopSession
    permission_required = CHANGE


class SessionCancelView(ScopedPermissionRequiredMixin, TemplateView):
    """Asks first (GET), cancels on POST: a cancelled session takes nobody any more."""

    scoped_model = WorkshopSession
    permission_required = CHANGE
    template_name = "mediation/backoffice/session_cancel.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.scoped_object, **kwargs)

    def post(self, request, pk):
        try:
            sessions.session_cancel(session=self.scoped_object, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Session cancelled."))
        return redirect("mediation_workshops:session", pk=pk)


# --- One session and its registrations --------------------------------------------------------------------


def message_languages() -> list[str]:  # read when the form is built: settings may change in tests
    return list(settings.MEDIATION_MESSAGE_LANGUAGES)


class RegisterForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))  # fmt: skip
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    # Their confirmation, offer and reminder are written in it (the languages the messages are translated into).
    language = forms.ChoiceField(
        label=gettext_lazy("Language of their messages"), initial="fr", required=False,
        choices=lambda: [(code, get_language_info(code)["name_local"]) for code in message_languages()],
    )  # fmt: skip
    consent = forms.BooleanField(
        label=gettext_lazy("The person agreed to be registered"),
        help_text=gettext_lazy("Ask them: their first name and contact are kept to tell them about this session, "
                               "and erased a year after it."),
    )  # fmt: skip


class SessionDetailView(ScopedPermissionRequiredMixin, TemplateView):
    scoped_model = WorkshopSession
    permission_required = (VIEW, VIEW_PEOPLE)
    template_name = "mediation/backoffice/session_detail.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("workshop__mds", "site", "zone")

    def get_context_data(self, form=None, **kwargs):
        session = self.scoped_object
        rows = list(session.registrations.select_related("registered_by").order_by("position", "created_at", "pk"))
        by_status = {status: [r for r in rows if r.status == status] for status in RegistrationStatus.values}
        return super().get_context_data(
            session=session, confirmed=by_status[RegistrationStatus.CONFIRMED],
            offered=by_status[RegistrationStatus.OFFERED], waiting=by_status[RegistrationStatus.WAITING],
            closed=by_status[RegistrationStatus.CANCELLED] + by_status[RegistrationStatus.EXPIRED],
            taken=len(by_status[RegistrationStatus.CONFIRMED]) + len(by_status[RegistrationStatus.OFFERED]),
            facilitators=session.facilitators.all(), form=form or RegisterForm(),
            open=session.status == SessionStatus.PLANNED and session.starts_at > timezone.now(), **kwargs,
        )  # fmt: skip


class RegisterView(SessionDetailView):
    """Register someone on their behalf (by phone, at the desk): their consent asked aloud, ticked here."""

    permission_required = (VIEW, VIEW_PEOPLE, REGISTER)

    def post(self, request, pk):
        form = RegisterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration = registrations.registration_create(
                    session=self.scoped_object, first_name=data["first_name"], phone=data["phone"],
                    email=data["email"], actor=request.user, language=data["language"] or "fr",
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if registration.status == RegistrationStatus.WAITING:
                    messages.success(request, _("Registered on the waiting list, position %(position)s.")
                                     % {"position": registration.position})  # fmt: skip
                else:
                    messages.success(request, _("Registered: a seat is theirs."))
                return redirect("mediation_workshops:session", pk=pk)
        return self.render_to_response(self.get_context_data(form=form))


class PromoteView(ScopedPermissionRequiredMixin, View):
    """Offer the free seats to the next people waiting now, rather than at beat's next round."""

    scoped_model = WorkshopSession
    permission_required = CHANGE_REGISTRATION
    http_method_names = ["post"]

    def post(self, request, pk):
        offered = registrations.waiting_list_promote(session=self.scoped_object)
        messages.success(request, _("Seats offered: %(count)s.") % {"count": len(offered)})
        return redirect("mediation_workshops:session", pk=pk)


class RegistrationCancelView(ScopedPermissionRequiredMixin, View):
    scoped_model = Registration
    permission_required = CHANGE_REGISTRATION
    http_method_names = ["post"]

    def post(self, request, pk):
        registration = registrations.registration_cancel(registration=self.scoped_object, actor=request.user)
        messages.success(request, _("Registration cancelled."))
        return redirect("mediation_workshops:session", pk=registration.session_id)
