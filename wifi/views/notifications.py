""" "Mes notifications": each ops agent chooses which alerts they receive, by email and in their team's chat.

The page is the agent's own (their preferences, their teams): nothing of an MDS is shown, so the permission
alone decides, held département-wide by the ops and admin roles.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.permissions import ScopedPermissionRequiredMixin
from wifi import notifications
from wifi.forms_board import AlertPreferencesForm
from wifi.models import AlertChannel


class MyNotificationsView(ScopedPermissionRequiredMixin, View):
    permission_required = "wifi.change_alertpreference"
    template_name = "wifi/my_notifications.html"

    def _render(self, form):
        context = {
            "form": form,
            "channels": AlertChannel,
            "teams": notifications.agent_teams(self.request.user),
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        choices = notifications.alert_choices(request.user)
        return self._render(AlertPreferencesForm(initial=AlertPreferencesForm.initial_from(choices)))

    def post(self, request):
        form = AlertPreferencesForm(request.POST)
        if not form.is_valid():
            return self._render(form)
        notifications.alert_preferences_set(actor=request.user, agent=request.user, choices=form.choices())
        messages.success(request, _("Your notification choices are saved."))
        return redirect("wifi:my_notifications")
