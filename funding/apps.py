from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("FEDER funding")

    def ready(self):
        from auditlog.registry import auditlog

        from funding import models
        from sites.roles import Role, grant

        # Every change to funding data is in the audit trail, who and when, before and after.
        for model in (
            models.Operation,
            models.ExpenseLine,
            models.Financer,
            models.Amendment,
            models.Supplier,
            models.PublicContract,
            models.PurchaseOrder,
            models.Invoice,
            models.InvoiceLine,
            models.Document,
            models.PaymentClaim,
            models.ClaimedInvoice,
            models.Recovery,
            models.Asset,
            models.DurabilityWarning,
            models.PublicityRequirement,
            models.PublicityEvidence,
            models.DeploymentPhase,
            models.SitePhase,
        ):
            auditlog.register(model)

        def perms(*names: str, actions: tuple[str, ...]) -> list[str]:
            return [f"funding.{action}_{name}" for name in names for action in actions]

        every = (
            "operation",
            "expenseline",
            "financer",
            "amendment",
            "supplier",
            "publiccontract",
            "purchaseorder",
            "invoice",
            "invoiceline",
            "document",
            "paymentclaim",
            "claimedinvoice",
            "recovery",
            "asset",
            "durabilitywarning",
            "publicityrequirement",
            "publicityevidence",
            "deploymentphase",
            "sitephase",
        )
        # Finance keeps the books of the operation; programme staff follow it, keep the deployment and publicity
        # up to date, and validate the claims finance entered (four eyes: funding.claims).
        finance_writes = (
            "amendment",
            "supplier",
            "publiccontract",
            "purchaseorder",
            "invoice",
            "invoiceline",
            "document",
            "paymentclaim",
            "claimedinvoice",
            "recovery",
            "asset",
            "durabilitywarning",
            "publicityevidence",
        )
        grant(Role.FINANCE, *perms(*every, actions=("view",)), *perms(*finance_writes, actions=("add", "change")))
        programme_writes = ("deploymentphase", "sitephase", "publicityevidence", "document", "durabilitywarning")
        grant(
            Role.PROGRAMME,
            *perms(*every, actions=("view",)),
            *perms(*programme_writes, actions=("add", "change")),
            "funding.validate_paymentclaim",
        )
        grant(Role.ADMIN, *perms(*every, actions=("view", "add", "change", "delete")), "funding.validate_paymentclaim")

        from sites.navigation import NavEntry, register

        # The dashboard, and from it the operation, the phases and the other areas' pages (the area's own menu).
        register(NavEntry(label=_("FEDER funding"), url_name="funding_dashboard:dashboard",
                          permission="funding.view_operation", order=50))  # fmt: skip

        from funding import admin  # noqa: F401, I001

        # The EU emblem on the public pages (portal, contact form, workshops), while the EU co-funds the service:
        # the public frames only carry the hook (core.public_mentions), funding knows whether and what to show.
        from django.db.models.signals import post_delete, post_save

        from core import public_mentions
        from funding import publicity

        public_mentions.register(publicity.eu_mention)
        for model in (models.Operation, models.Financer):
            post_save.connect(publicity.mention_changed, sender=model, dispatch_uid=f"funding-mention-{model.__name__}")
            post_delete.connect(
                publicity.mention_changed, sender=model, dispatch_uid=f"funding-mention-gone-{model.__name__}"
            )

        _durability_connect()
        _dashboard_panels()


def _durability_connect() -> None:
    """A funded access point retired or moved in the WiFi inventory warns finance (funding.signals): wifi sends,
    funding listens, so that wifi never imports funding."""
    from django.db.models.signals import post_save, pre_save

    from funding import signals
    from wifi.models import AccessPoint
    from wifi.signals import access_points_changed

    pre_save.connect(signals.access_point_pre_save, sender=AccessPoint, dispatch_uid="funding_durability_pre_save")
    post_save.connect(signals.access_point_post_save, sender=AccessPoint, dispatch_uid="funding_durability_post_save")
    access_points_changed.connect(signals.access_points_changed, dispatch_uid="funding_durability_bulk")


def _dashboard_panels() -> None:
    """The dashboard's slots: the warnings finance has to acknowledge, the publicity obligations met."""
    from funding import dashboard, durability, publicity
    from funding.models import Operation

    def publicity_status(operation: Operation) -> dict[str, int]:
        checklist = publicity.publicity_checklist(operation=operation)
        return {"done": sum(1 for status in checklist if status.done), "total": len(checklist)}

    dashboard.register_panel(
        dashboard.Panel(
            slot="durability",
            template="funding/assets/_dashboard_panel.html",
            context=lambda operation: {"open_warnings": durability.open_warnings_count(operation)},
        )
    )
    dashboard.register_panel(
        dashboard.Panel(slot="publicity", template="funding/publicity/_dashboard_panel.html", context=publicity_status)
    )
