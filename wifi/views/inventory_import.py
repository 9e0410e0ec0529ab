"""Importing an inventory CSV from the back-office: upload, read the report line by line, confirm.

The check and the import are `wifi.inventory_import.aps_import`, as for `manage.py import_aps`. Between the
two steps the uploaded bytes wait in the cache under a random token, bound to the agent and their session;
the confirmation sends only the token (never a file name or a path), and imports only if the same bytes
still do what the report showed (`expected_plan`): otherwise the new report is shown to be confirmed again.
"""

import io
import secrets
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.permissions import ScopedPermissionRequiredMixin
from wifi.forms import InventoryImportConfirmForm, InventoryImportForm
from wifi.inventory_import import ImportReport, aps_import

PREVIEW_SECONDS = 3600  # how long a checked file waits for its confirmation
LINES_SHOWN = 200  # lines listed per table of the report; the counts cover them all


def _key(token: str) -> str:
    return f"wifi:inventory-import:{token}"


def preview_keep(request: HttpRequest, *, content: bytes, filename: str, partial: bool, plan: str) -> str:
    """Keep a checked file for its confirmation; return the token that names it."""
    token = secrets.token_urlsafe(32)
    preview = {
        "agent": request.user.pk,
        "session": request.session.session_key,
        "content": content,
        "filename": filename,
        "partial": partial,
        "plan": plan,
    }
    cache.set(_key(token), preview, PREVIEW_SECONDS)
    return token


def preview_take(request: HttpRequest, token: str) -> dict[str, Any] | None:
    """The file kept under `token` if it is this agent's, in this session; taken once (a second submit finds none)."""
    preview = cache.get(_key(token))
    if not preview or preview["agent"] != request.user.pk or preview["session"] != request.session.session_key:
        return None
    if not cache.delete(_key(token)):  # another request took it first
        return None
    return preview


class _ImportPage(ScopedPermissionRequiredMixin, View):
    # The permission of editing the inventory; which sites the agent may touch is checked line by line.
    permission_required = "wifi.change_accesspoint"
    template_name = "wifi/inventory_import.html"

    def render_report(self, report: ImportReport, *, content: bytes, filename: str, partial: bool) -> HttpResponse:
        can_confirm = not report.refused and bool(report.changed_lines)
        token = ""
        if can_confirm:
            token = preview_keep(self.request, content=content, filename=filename, partial=partial, plan=report.plan())
        context = {
            "form": InventoryImportForm(initial={"partial": partial}),  # the box as the agent left it
            "report": report,
            "filename": filename,
            "confirm_form": InventoryImportConfirmForm(initial={"token": token}) if can_confirm else None,
            "error_lines": report.error_lines[:LINES_SHOWN],
            "changed_lines": report.changed_lines[:LINES_SHOWN],
            "lines_shown": LINES_SHOWN,
        }
        return render(self.request, self.template_name, context)


class InventoryImportView(_ImportPage):
    """Upload a CSV and see what importing it would do; nothing is written here."""

    def get(self, request):
        return render(request, self.template_name, {"form": InventoryImportForm()})

    def post(self, request):
        form = InventoryImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        upload, partial = form.cleaned_data["file"], form.cleaned_data["partial"]
        content = upload.read()
        report = aps_import(
            actor=request.user, file=io.BytesIO(content), filename=upload.name, partial=partial, dry_run=True
        )
        return self.render_report(report, content=content, filename=upload.name, partial=partial)


class InventoryImportConfirmView(_ImportPage):
    """Import the file checked on the previous page, exactly as its report said."""

    http_method_names = ["post"]

    def post(self, request):
        form = InventoryImportConfirmForm(request.POST)
        preview = preview_take(request, form.cleaned_data["token"]) if form.is_valid() else None
        if preview is None:
            messages.error(request, _("This check has expired or was already imported: upload the file again."))
            return redirect(reverse("wifi:inventory_import"))
        content, filename, partial = preview["content"], preview["filename"], preview["partial"]
        report = aps_import(
            actor=request.user, file=io.BytesIO(content), filename=filename, partial=partial,
            expected_plan=preview["plan"],
        )  # fmt: skip
        if report.stale:
            messages.warning(
                request, _("The inventory changed since the check: here is the new report. Nothing was imported yet.")
            )
            return self.render_report(report, content=content, filename=filename, partial=partial)
        if not report.imported:
            return self.render_report(report, content=content, filename=filename, partial=partial)
        messages.success(
            request,
            _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(refused)d lines refused.")
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "refused": report.errors,
            },
        )
        return redirect(reverse("wifi:inventory"))
