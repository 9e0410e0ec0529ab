from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Digital mediation")

    def ready(self):
        from auditlog.registry import auditlog

        from mediation.models import (
            Accompaniment,
            Activity,
            AgentTraining,
            Beneficiary,
            Mediator,
            Registration,
            Theme,
            Workshop,
            WorkshopSession,
        )
        from sites.roles import Role, grant

        for model in (Theme, Activity, Accompaniment, Mediator):
            auditlog.register(model)
        auditlog.register(Workshop, m2m_fields={"themes"})
        auditlog.register(WorkshopSession, m2m_fields={"facilitators"})
        auditlog.register(AgentTraining, m2m_fields={"attendees"})
        # The person's details stay out of the audit trail: it outlives them (1 year) and anonymisation blanks the
        # rows only (mediation.privacy); who registered, when, and every status change are kept.
        auditlog.register(Registration, exclude_fields=["first_name", "phone", "email", "updated_at"])
        auditlog.register(Beneficiary, exclude_fields=["first_name", "last_name", "phone", "email"])

        def perms(*models: str, actions: tuple[str, ...] = ("view", "add", "change")) -> list[str]:
            return [f"mediation.{action}_{model}" for model in models for action in actions]

        # Mediators run workshops and log their help; the MDS manager also plans the team and its trainings; the
        # programme reads everything (its figures come next); the admin edits the taxonomy too.
        daily = perms("workshop", "workshopsession", "registration", "activity", "accompaniment", "beneficiary")
        reference = perms("theme", "mediator", "agenttraining", actions=("view",))
        grant(Role.MEDIATOR, *daily, *reference)
        # A mediator deletes an accompaniment logged by mistake (their own, recent: mediation.activities.may_correct);
        # the manager merges two records of the same person (the duplicate is deleted).
        grant(Role.MEDIATOR, "mediation.delete_accompaniment")
        grant(Role.MDS_MANAGER, "mediation.delete_accompaniment", "mediation.delete_beneficiary")
        team = perms("mediator", "agenttraining", actions=("add", "change", "delete"))
        grant(Role.MDS_MANAGER, *daily, *reference, *team, "mediation.delete_workshop")
        every = ("theme", "workshop", "workshopsession", "registration", "activity", "accompaniment", "beneficiary",
                 "mediator", "agenttraining")  # fmt: skip
        grant(Role.PROGRAMME, *perms(*every, actions=("view",)))
        grant(Role.ADMIN, *perms(*every, actions=("view", "add", "change", "delete")))

        from sites.navigation import NavEntry, register

        # The facilitator's sessions (attendance from there), the mediator's quick log, the programme's figures.
        register(NavEntry(label=_("Workshops"), url_name="mediation_workshops:sessions",
                          permission="mediation.view_workshopsession", order=40))  # fmt: skip
        register(NavEntry(label=_("One-to-one help"), url_name="mediation_activities:log",
                          permission="mediation.add_accompaniment", order=41))  # fmt: skip
        register(NavEntry(label=_("Mediation figures"), url_name="mediation_figures:figures",
                          permission="mediation.view_activity", order=42))  # fmt: skip

        from mediation import admin, messages, retention  # noqa: F401  (admin pages; what is kept, how long)
        from mediation.signals import registration_changed
        from mediation.tasks import anonymise_expired_registrations, expire_offers, send_message  # noqa: F401

        # Each change of a registration queues its message in the change's own transaction (mediation.messages).
        registration_changed.connect(
            messages.registration_messages_queue, sender=Registration, dispatch_uid="mediation.messages"
        )
