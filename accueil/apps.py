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
        from sites.navigation import NavEntry, register

        register(NavEntry(label=_("Appointments"), url_name="accueil_appointments:calendar",
                          permission="accueil.view_appointment", order=31))  # fmt: skip
