"""The person records of the back-office: the list and its search, a person's page, editing, relatives, merging.

Every page looks its person up among `Person.objects.visible_to(agent)` first (404 outside the agent's MDS), then
checks the permission on it (core.permissions); writes go through accueil.people's services.
"""

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accueil import people
from accueil.models import Person
from core.csv import csv_response
from core.lists import ScopedListView, SearchFilter, Table, visible
from core.permissions import ScopedPermissionRequiredMixin
from core.phone import phone_display
from sites.lists import PersonalDataCsvView
from sites.models import Mds

_SEARCH = forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off", "maxlength": 80})


class PersonFilter(django_filters.FilterSet):
    q = SearchFilter(
        label=gettext_lazy("Find a person"),
        help_text=gettext_lazy("Name, phone number (any writing) or email address."),
        widget=_SEARCH,
        query=people.person_search,
    )
    mds = django_filters.ModelChoiceFilter(
        label=gettext_lazy("MDS"), empty_label=gettext_lazy("All"), queryset=visible(Mds, order_by=("number",))
    )

    class Meta:
        model = Person
        fields = ["q", "mds"]


class PersonTable(Table):
    caption = gettext_lazy("People")
    name = tables.TemplateColumn(
        '<a href="{% url \'accueil_people:person_detail\' record.pk %}"><bdi>{{ record }}</bdi></a>',
        verbose_name=gettext_lazy("Name"), order_by=("last_name", "first_name", "pk"),
    )  # fmt: skip
    phone = tables.TemplateColumn(
        "{% load phone %}{% if record.phone %}{{ record.phone|phone_display }}{% else %}—{% endif %}",
        verbose_name=gettext_lazy("Phone"), order_by=("phone", "pk"),
    )  # fmt: skip
    email = tables.TemplateColumn(
        '{% if record.email %}<bdi>{{ record.email }}</bdi>{% else %}—{% endif %}',
        verbose_name=gettext_lazy("Email"), order_by=("email", "pk"),
    )  # fmt: skip
    mds = tables.Column(verbose_name=gettext_lazy("MDS"), accessor="mds__name", order_by=("mds__number", "pk"))
    request_count = tables.Column(verbose_name=gettext_lazy("Requests"), order_by=("request_count", "pk"))


class PeopleView(ScopedListView):
    model = Person
    permission_required = "accueil.view_person"
    template_name = "accueil/backoffice/people/list.html"
    table_class = PersonTable
    filterset_class = PersonFilter

    def refine_queryset(self, queryset: Any) -> QuerySet[Person]:
        return people.people_list(queryset).order_by("last_name", "first_name", "pk")


class PeopleCsvView(PersonalDataCsvView, PeopleView):
    """One row per person, as filtered on the list."""

    def csv_response(self, rows: QuerySet[Person]) -> HttpResponse:
        header = [_("Last name"), _("First name"), _("Phone"), _("Email"), _("MDS"), _("Acting for them"),
                  _("Relationship"), _("Requests"), _("Appointments"), _("Created on")]  # fmt: skip
        lines = (
            [
                p.last_name,
                p.first_name,
                phone_display(p.phone) if p.phone else "",
                p.email,
                p.mds.name,
                str(p.responsible) if p.responsible else "",
                p.relationship,
                p.request_count,
                p.appointment_count,
                timezone.localtime(p.created_at).date(),
            ]
            for p in rows.annotate(appointment_count=Count("appointments", distinct=True))
        )
        return csv_response([header, *lines], filename=f"personnes-{timezone.localdate():%Y-%m-%d}.csv")


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "phone", "email"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("last_name") or data.get("first_name")):
            raise ValidationError(_("Give at least a first name or a last name."))
        return data


class PersonCreateForm(PersonForm):
    mds = forms.ModelChoiceField(label=gettext_lazy("MDS"), queryset=Mds.objects.none())

    class Meta(PersonForm.Meta):
        fields = ["mds", *PersonForm.Meta.fields]

    def __init__(self, *args: Any, agent: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Only the MDS where the agent may add someone: a forged id of another MDS is an invalid choice.
        allowed = [m.pk for m in Mds.objects.visible_to(agent) if agent.has_perm("accueil.add_person", m)]
        self.fields["mds"].queryset = Mds.objects.filter(pk__in=allowed).order_by("number")
        if len(allowed) == 1:
            self.fields["mds"].initial = allowed[0]


class PersonCreateView(ScopedPermissionRequiredMixin, View):
    permission_required = "accueil.add_person"
    template_name = "accueil/backoffice/people/form.html"

    def _render(self, form: forms.Form) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "person": None})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(PersonCreateForm(agent=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PersonCreateForm(request.POST, agent=request.user)
        if not form.is_valid():
            return self._render(form)
        person = people.person_save(actor=request.user, person=form.save(commit=False))
        messages.success(request, _("The record of %(name)s was created.") % {"name": person})
        return redirect("accueil_people:person_detail", pk=person.pk)


class _OnePerson(ScopedPermissionRequiredMixin):
    scoped_model = Person

    def get_scoped_queryset(self) -> QuerySet[Person]:
        return super().get_scoped_queryset().select_related("mds", "responsible", "merged_into")

    @property
    def person(self) -> Person:
        return self.scoped_object  # type: ignore[return-value]


class PersonDetailView(_OnePerson, View):
    permission_required = "accueil.view_person"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.person
        people.person_view(actor=request.user, person=person)
        context = {
            "person": person,
            "requests": people.person_requests(person),
            "dependants": person.dependants.current().order_by("last_name", "first_name", "pk"),
            "related": people.person_related(person),
            "can_change": request.user.has_perm("accueil.change_person", person),
            "can_merge": request.user.has_perm(people.MERGE_PERMISSION, person),
        }
        return render(request, "accueil/backoffice/people/detail.html", context)


class PersonEditView(_OnePerson, View):
    permission_required = "accueil.change_person"
    template_name = "accueil/backoffice/people/form.html"

    def _render(self, form: forms.Form) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "person": self.person})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(PersonForm(instance=self.person))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = PersonForm(request.POST, instance=self.person)
        if not form.is_valid():
            return self._render(form)
        try:
            person = people.person_save(actor=request.user, person=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form)
        messages.success(request, _("The record of %(name)s was updated.") % {"name": person})
        return redirect("accueil_people:person_detail", pk=person.pk)


class RelativeForm(forms.Form):
    responsible = forms.ModelChoiceField(
        label=gettext_lazy("Relative acting for them"), queryset=Person.objects.none(), required=False,
        empty_label=gettext_lazy("Nobody"),
    )  # fmt: skip
    relationship = forms.CharField(
        label=gettext_lazy("Relationship"), max_length=60, required=False,
        help_text=gettext_lazy("E.g. mother, father, guardian."),
    )  # fmt: skip

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = candidates


class PersonRelativeView(_OnePerson, View):
    permission_required = "accueil.change_person"
    template_name = "accueil/backoffice/people/relative.html"

    def _form(self, data: Any = None) -> RelativeForm:
        person = self.person
        initial = {"responsible": person.responsible_id, "relationship": person.relationship}
        candidates = people.merge_candidates(person, self.request.user).order_by("last_name", "first_name", "pk")
        return RelativeForm(data, initial=initial, candidates=candidates)

    def _render(self, form: forms.Form) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "person": self.person})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form)
        try:
            people.person_link_relative(
                actor=request.user, person=self.person, responsible=form.cleaned_data["responsible"],
                relationship=form.cleaned_data["relationship"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form)
        messages.success(request, _("The relative was saved."))
        return redirect("accueil_people:person_detail", pk=self.person.pk)


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(label=gettext_lazy("Duplicate record to merge into this one"),
                                       queryset=Person.objects.none())  # fmt: skip
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked that both records are the same person."), required=True
    )

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = candidates


class PersonMergeView(_OnePerson, View):
    """Merge a duplicate into the record of this page (the one kept); only among the same MDS's records."""

    permission_required = people.MERGE_PERMISSION
    template_name = "accueil/backoffice/people/merge.html"

    def _form(self, data: Any = None) -> MergeForm:
        candidates = people.merge_candidates(self.person, self.request.user).order_by("last_name", "first_name", "pk")
        return MergeForm(data, candidates=candidates)

    def _render(self, form: forms.Form) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "person": self.person})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form)
        try:
            result = people.person_merge(actor=request.user, kept=self.person, duplicate=form.cleaned_data["duplicate"])
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form)
        messages.success(request, _("The duplicate record was merged into this one."))
        return redirect(reverse("accueil_people:person_detail", kwargs={"pk": result.kept.pk}))
