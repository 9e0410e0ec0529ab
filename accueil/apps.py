from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccueilConfig(AppConfig):
    name = "accueil"
    verbose_name = _("Online reception")

    def ready(self):
        from auditlog.registry import auditlog

        from accueil.models import CommuneRouting, ContactRequest, Person, RequestEvent
        from sites.roles import Role, grant

        auditlog.register(Person)
        auditlog.register(ContactRequest, exclude_fields=["first_answered_at"])
        auditlog.register(RequestEvent)
        auditlog.register(CommuneRouting)

        # The MDS's reception and social workers answer requests; the manager also merges duplicate records.
        inbox = ["accueil.view_contactrequest", "accueil.change_contactrequest", "accueil.add_contactrequest",
                 "accueil.view_requestevent", "accueil.add_requestevent", "accueil.view_person",
                 "accueil.add_person", "accueil.change_person", "accueil.view_notification"]  # fmt: skip
        for role in (Role.RECEPTION, Role.SOCIAL_WORKER, Role.MDS_MANAGER):
            grant(role, *inbox)
        grant(Role.MDS_MANAGER, "accueil.delete_person")
        grant(Role.ADMIN, *inbox, "accueil.delete_person", "accueil.view_communerouting",
              "accueil.add_communerouting", "accueil.change_communerouting",
              "accueil.delete_communerouting")  # fmt: skip

        from accueil import retention  # noqa: F401  (declares what the reception keeps and for how long)

        # The person records (accueil.people): the menu entry, and the anonymisation task's module for Celery.
        from accueil.tasks_privacy import anonymise_expired_personal_data  # noqa: F401
        from sites.navigation import NavEntry, register

        register(NavEntry(label=_("People"), url_name="accueil_people:people", permission="accueil.view_person",
                          order=40))  # fmt: skip

        # Appointments (issue 12): audited, and booked by those who answer requests; motifs and opening rules are
        # the MDS manager's (and the admin's, in the Django admin).
        from accueil.models import Absence, Appointment, Motif, OpeningRule

        for model in (Motif, OpeningRule, Absence):
            auditlog.register(model)
        auditlog.register(Appointment)
        booking = ["accueil.view_appointment", "accueil.add_appointment", "accueil.change_appointment",
                   "accueil.view_motif", "accueil.view_openingrule", "accueil.view_absence"]  # fmt: skip
        for role in (Role.RECEPTION, Role.SOCIAL_WORKER, Role.MDS_MANAGER, Role.ADMIN):
            grant(role, *booking)
        planning = [f"accueil.{action}_{model}" for model in ("motif", "openingrule", "absence")
                    for action in ("add", "change", "delete")]  # fmt: skip
        grant(Role.MDS_MANAGER, *planning)
        grant(Role.ADMIN, *planning)
        from accueil import admin_appointments  # noqa: F401  (motifs, opening rules and absences in the admin)

        register(NavEntry(label=_("Appointments"), url_name="accueil_appointments:calendar",
                          permission="accueil.view_appointment", order=31))  # fmt: skip

        self.ready_inbox()

    def ready_inbox(self):
        """The agents' inbox (issue 12): the menu entry, the dashboard's line per site, the reply templates."""
        from auditlog.registry import auditlog
        from django.contrib import admin

        from accueil import site_panel
        from accueil.models import ReplyTemplate
        from sites.navigation import NavEntry, register
        from sites.roles import Role, grant

        register(NavEntry(label=_("Reception"), url_name="accueil:inbox", permission="accueil.view_contactrequest",
                          order=15))  # fmt: skip
        site_panel.register()
        auditlog.register(ReplyTemplate)
        grant(Role.ADMIN, "accueil.view_replytemplate", "accueil.add_replytemplate", "accueil.change_replytemplate",
              "accueil.delete_replytemplate")  # fmt: skip
        if not admin.site.is_registered(ReplyTemplate):
            admin.site.register(ReplyTemplate, list_display=["name", "mds", "active"], list_filter=["active"])
