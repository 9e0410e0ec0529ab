"""The roles an agent can hold, and what each one may reach.

Per-MDS roles are held for one MDS; département-wide roles for all of them. The Django
group of each role (created by migration) carries its permissions.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEPTION = "reception", _("Reception agent")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    MEDIATOR = "mediator", _("Digital mediator")
    MDS_MANAGER = "mds_manager", _("MDS manager")
    PROGRAMME = "programme", _("Programme staff")
    FINANCE = "finance", _("Finance (FEDER)")
    OPS = "ops", _("Ops / WiFi technician")
    LEGAL_REQUISITION = "legal_requisition", _("Legal-requisition officer")
    ADMIN = "admin", _("Administrator")

    @property
    def group_name(self) -> str:
        return f"role:{self.value}"


PER_MDS_ROLES = frozenset({Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR, Role.MDS_MANAGER})
DEPARTEMENT_WIDE_ROLES = frozenset(set(Role) - PER_MDS_ROLES)

# Roles whose holders read personal data (requests, registrations, connection logs): a second
# factor is required of them, as of every staff member who can open the admin.
PERSONAL_DATA_ROLES = frozenset(
    {Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR, Role.MDS_MANAGER, Role.LEGAL_REQUISITION, Role.ADMIN}
)
