"""The publicity checklist of the FEDER operation (/backoffice/funding/publicity/): each obligation with its dated
evidence, the A3 poster MDS by MDS, a photo's upload, and each file read through a view that checks the role and
records the reading.

Funding pages are for département-wide roles (finance, programme, admin): an agent of one MDS gets 403 on the
checklist, and 404 on a page about one obligation or one file (looked up among none, as the scoping mixin does).
"""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from funding import publicity
from funding.access import FundingPermissionMixin
from funding.forms.publicity import EvidenceForm
from funding.models import Operation, PublicityEvidence, PublicityRequirement
from sites.models import Agent


def _operation() -> Operation | None:
    return Operation.objects.order_by("pk").first()


class _DepartementWide(FundingPermissionMixin):
    """Signed in, a département-wide role, then the permission (403); an object only among those it may see."""

    permission_required = "funding.view_publicityevidence"

    def has_permission(self) -> bool:
        return cast(Agent, self.request.user).sees_every_mds and super().has_permission()


class ChecklistView(_DepartementWide, TemplateView):
    template_name = "funding/publicity/checklist.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        operation = _operation()
        checklist = publicity.publicity_checklist(operation=operation) if operation else []
        return super().get_context_data(
            operation=operation,
            checklist=checklist,
            done=sum(1 for status in checklist if status.done),
            may_add=self.request.user.has_perm("funding.add_publicityevidence"),
            **kwargs,
        )


class EvidenceAddView(_DepartementWide, FormView):
    """A photo of an obligation fulfilled (a poster on the wall), dated, for one MDS when it is checked in each."""

    template_name = "funding/publicity/evidence_form.html"
    form_class = EvidenceForm
    scoped_model = PublicityRequirement
    permission_required = "funding.add_publicityevidence"

    def get_scoped_queryset(self) -> QuerySet:
        return self.visible(PublicityRequirement.objects.select_related("operation"))

    @property
    def requirement(self) -> PublicityRequirement:
        return cast(PublicityRequirement, self.scoped_object)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["requirement"] = self.requirement
        if self.request.method == "GET" and self.request.GET.get("mds"):
            kwargs["initial"] = {**kwargs.get("initial", {}), "mds": self.request.GET["mds"]}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(requirement=self.requirement, **kwargs)

    def form_valid(self, form: EvidenceForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            evidence = publicity.evidence_record(
                actor=cast(Agent, self.request.user), requirement=self.requirement, observed_on=data["observed_on"],
                upload=data["photo"], mds=data.get("mds"), note=data["note"],
            )  # fmt: skip
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the photo itself was refused (funding.publicity.photo_prepare)
                form.add_error("photo", error)
            else:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The photo is filed as evidence, observed on %(date)s.")
            % {"date": date_format(evidence.observed_on, "SHORT_DATE_FORMAT")},
        )
        return redirect("funding_publicity:checklist")


class EvidenceFileView(_DepartementWide, View):
    """The evidence's file, served from the private storage; the reading is recorded in the audit trail."""

    scoped_model = PublicityEvidence

    def get_scoped_queryset(self) -> QuerySet:
        return self.visible(PublicityEvidence.objects.select_related("document"))

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        evidence = cast(PublicityEvidence, self.scoped_object)
        document = publicity.evidence_file_read(actor=cast(Agent, request.user), evidence=evidence)
        try:
            stored = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(stored, content_type=document.content_type, filename=document.original_name)
        return response
