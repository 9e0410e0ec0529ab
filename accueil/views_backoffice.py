"""The agents' inbox: the list of requests (filters, search, sort, CSV), a request's page and the actions on it,
walk-ins, and the indicators per MDS.

As everywhere in the back-office, `core.permissions.ScopedPermissionRequiredMixin` looks a request up among
those the agent sees (404 outside their MDS), then checks the permission on it (403). Writes are the services
of accueil/inbox.py; every opening of a request's page is kept in the audit trail (it shows personal data).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accueil import inbox, selectors
from accueil.forms_inbox import AssignForm, NoteForm, ReplyForm, StatusForm, WalkInForm
from accueil.lists import InboxFilter, InboxTable, csv_rows
from accueil.models import Appointment, CallbackChannel, CallbackWindow, ContactRequest
from core.csv import csv_response
from core.durations import duration
from core.lists import ScopedListView
from core.permissions import ScopedPermissionRequiredMixin
from sites.audit import record_access
from sites.lists import PersonalDataCsvView
from sites.models import Mds


class InboxListView(ScopedListView):
    model = ContactRequest
    permission_required = "accueil.view_contactrequest"
    template_name = "accueil/backoffice/inbox.html"
    table_class = InboxTable
    filterset_class = InboxFilter

    def refine_queryset(self, queryset):
        return selectors.inbox_rows(queryset)


class InboxCsvView(PersonalDataCsvView, InboxListView):
    def csv_response(self, rows) -> HttpResponse:
        return csv_response(csv_rows(rows), filename=f"demandes-{timezone.localdate():%Y-%m-%d}.csv")


class _RequestMixin(ScopedPermissionRequiredMixin):
    scoped_model = ContactRequest

    def get_scoped_queryset(self):
        return selectors.request_page_queryset(super().get_scoped_queryset())


class RequestDetailView(_RequestMixin, TemplateView):
    permission_required = "accueil.view_contactrequest"
    template_name = "accueil/backoffice/request_detail.html"

    def get(self, request, *args, **kwargs):
        record_access(actor=request.user, instance=self.scoped_object, reason="inbox")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contact_request: ContactRequest = self.scoped_object  # type: ignore[assignment]
        can_work = self.request.user.has_perm("accueil.change_contactrequest", contact_request)
        channels = inbox.reply_channels(contact_request) if contact_request.anonymised_at is None else []
        templates = selectors.reply_templates(contact_request) if can_work and channels else []
        reply_initial = {}
        chosen = self.request.GET.get("template", "")
        if chosen.isdigit():
            template = next((t for t in templates if t.pk == int(chosen)), None)
            if template is not None:
                reply_initial["text"] = selectors.reply_fill(template, contact_request)
        events = list(contact_request.events.select_related("author"))
        context = {
            "contact_request": contact_request,
            "events": events,
            "message_fates": selectors.request_messages(contact_request),
            "can_work": can_work,
            "callback_channels": [
                str(CallbackChannel(c).label) for c in contact_request.callback_channels if c in CallbackChannel.values
            ],
            "callback_windows": [
                str(CallbackWindow(w).label) for w in contact_request.callback_windows if w in CallbackWindow.values
            ],
            "templates": templates,
            "now": timezone.now(),
        }
        if can_work:
            context |= {
                "assign_form": AssignForm(contact_request=contact_request,
                                          initial={"assignee": contact_request.assigned_to_id}),
                "status_form": kwargs.pop("status_form", None) or StatusForm(contact_request=contact_request),
                "note_form": kwargs.pop("note_form", None) or NoteForm(),
                "reply_form": kwargs.pop("reply_form", None)
                or (ReplyForm(channels=channels, initial=reply_initial) if channels else None),
            }  # fmt: skip
        return super().get_context_data(**context, **kwargs)


class _RequestActionView(_RequestMixin, View):
    """A POST from the request's page; GET goes back to the page."""

    permission_required = "accueil.change_contactrequest"

    def get(self, request, pk):
        return redirect("accueil:request_detail", pk=pk)

    def _again(self, request, pk, **forms):
        """The request's page again with the refused form and its errors."""
        page = RequestDetailView(request=request, kwargs={"pk": pk}, scoped_object=self.scoped_object)
        return render(request, RequestDetailView.template_name, page.get_context_data(**forms), status=400)


class RequestTakeView(_RequestActionView):
    def post(self, request, pk):
        try:
            inbox.request_take(actor=request.user, contact_request=self.scoped_object)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("You have this request."))
        return redirect("accueil:request_detail", pk=pk)


class RequestAssignView(_RequestActionView):
    def post(self, request, pk):
        form = AssignForm(request.POST, contact_request=self.scoped_object)
        if not form.is_valid():
            messages.error(request, _("Choose an agent of this MDS from the list."))
            return redirect("accueil:request_detail", pk=pk)
        try:
            updated = inbox.request_assign(
                actor=request.user, contact_request=self.scoped_object, assignee=form.cleaned_data["assignee"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if updated.assigned_to:
                messages.success(request, _("Request assigned to %(agent)s.") % {"agent": updated.assigned_to})
            else:
                messages.success(request, _("Nobody has this request any more."))
        return redirect("accueil:request_detail", pk=pk)


class RequestStatusView(_RequestActionView):
    def post(self, request, pk):
        form = StatusForm(request.POST, contact_request=self.scoped_object)
        if not form.is_valid():
            return self._again(request, pk, status_form=form)
        try:
            inbox.request_set_status(
                actor=request.user, contact_request=self.scoped_object, status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Status changed."))
        return redirect("accueil:request_detail", pk=pk)


class RequestNoteView(_RequestActionView):
    def post(self, request, pk):
        form = NoteForm(request.POST)
        if not form.is_valid():
            return self._again(request, pk, note_form=form)
        inbox.request_note(
            actor=request.user, contact_request=self.scoped_object, text=form.cleaned_data["text"],
            form_token=form.cleaned_data["form_token"],
        )  # fmt: skip
        messages.success(request, _("Note added."))
        return redirect("accueil:request_detail", pk=pk)


class RequestReplyView(_RequestActionView):
    def post(self, request, pk):
        form = ReplyForm(request.POST, channels=inbox.reply_channels(self.scoped_object))
        if not form.is_valid():
            return self._again(request, pk, reply_form=form)
        try:
            inbox.request_reply(
                actor=request.user, contact_request=self.scoped_object, channel=form.cleaned_data["channel"],
                text=form.cleaned_data["text"], form_token=form.cleaned_data["form_token"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._again(request, pk, reply_form=form)
        messages.success(request, _("Reply queued: it leaves in a moment; its fate shows below."))
        return redirect("accueil:request_detail", pk=pk)


class WalkInView(ScopedPermissionRequiredMixin, TemplateView):
    """A request recorded for a person at the desk, in one of the MDS the agent sees."""

    permission_required = "accueil.add_contactrequest"
    template_name = "accueil/backoffice/walk_in.html"

    def _form(self, data=None) -> WalkInForm:
        return WalkInForm(data, mds_queryset=Mds.objects.visible_to(self.request.user).order_by("number"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", self._form())
        return super().get_context_data(**kwargs)

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            mds = form.cleaned_data["mds"]
            self.check_object_permission(mds)
            data = {key: form.cleaned_data[key] for key in ("kind", "topic", "first_name", "last_name", "phone",
                                                            "email", "message")}  # fmt: skip
            try:
                created = inbox.request_record_walk_in(actor=request.user, mds=mds, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Request %(reference)s recorded.") % {"reference": created})
                return redirect("accueil:request_detail", pk=created.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class IndicatorsView(ScopedPermissionRequiredMixin, TemplateView):
    permission_required = "accueil.view_contactrequest"
    template_name = "accueil/backoffice/indicators.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        visible_mds = list(Mds.objects.visible_to(self.request.user).order_by("number"))
        chosen = self.request.GET.get("mds", "")
        mds = next((m for m in visible_mds if str(m.pk) == chosen), None)
        if mds is None and len(visible_mds) == 1:
            mds = visible_mds[0]
        requests = ContactRequest.objects.visible_to(self.request.user)
        if mds is not None:
            requests = requests.filter(mds=mds)
        now = timezone.now()
        figures = selectors.inbox_indicators(requests, now=now)
        # Every role that reads requests reads appointments too (accueil.apps): the same scope, no other check.
        appointments = Appointment.objects.visible_to(self.request.user)
        if mds is not None:
            appointments = appointments.filter(mds=mds)
        attendance = selectors.attendance_indicators(appointments, now=now)
        median = figures.median_first_answer
        oldest = figures.oldest_unanswered
        return super().get_context_data(
            mds_choices=visible_mds,
            mds=mds,
            figures=figures,
            attendance=attendance,
            median_text=duration(now - median, now) if median is not None else "",
            oldest_waiting=duration(oldest.submitted_at, now) if oldest is not None else "",
            **kwargs,
        )
