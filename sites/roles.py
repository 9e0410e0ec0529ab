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

# What each role may do, as "app_label.codename". Other apps add theirs with `grant()` in their
# AppConfig.ready(); `sync_role_groups()` makes each role's group hold exactly these permissions. It
# runs in a migration and again after every migrate/flush, so a permission removed here leaves every
# deployed database too. Extra rights given by hand belong in other groups, never in a `role:` group.
_SITES_VIEW = {
    "mds_sites.view_mds",
    "mds_sites.view_site",
    "mds_sites.view_zone",
    "mds_sites.view_openingperiod",
    "mds_sites.view_service",
}
_SITES_PREMISES = {"mds_sites.change_site", "mds_sites.add_zone", "mds_sites.change_zone", "mds_sites.delete_zone"}
_SITES_MDS_RECORD = {
    "mds_sites.change_mds",
    "mds_sites.add_openingperiod",
    "mds_sites.change_openingperiod",
    "mds_sites.delete_openingperiod",
}
_SITES_PEOPLE = {"mds_sites.view_membership", "mds_sites.view_agent"}
_SITES_ALL = {
    f"mds_sites.{action}_{model}"
    for model in ("mds", "site", "zone", "openingperiod", "service", "membership", "agent")
    for action in ("add", "change", "delete", "view")
}

ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.RECEPTION: set(_SITES_VIEW),
    Role.SOCIAL_WORKER: set(_SITES_VIEW),
    Role.MEDIATOR: set(_SITES_VIEW),
    Role.MDS_MANAGER: _SITES_VIEW | _SITES_PREMISES | _SITES_MDS_RECORD | _SITES_PEOPLE,
    Role.PROGRAMME: _SITES_VIEW | _SITES_PEOPLE,
    Role.FINANCE: set(_SITES_VIEW),
    Role.OPS: _SITES_VIEW | _SITES_PREMISES,
    Role.LEGAL_REQUISITION: set(_SITES_VIEW),
    Role.ADMIN: _SITES_ALL | {"mds_sites.view_privilegegrant"},
}


def grant(role: Role, *permissions: str) -> None:
    ROLE_PERMISSIONS[role].update(permissions)


def sync_role_groups(apps) -> None:
    """Create each role's group and give it exactly its permissions. `apps` may be a migration's registry.

    Permissions of apps not migrated yet are missing from the database: the run after the last
    migration (sites.apps) completes the groups.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role.group_name)
        wanted = [tuple(p.split(".", 1)) for p in perms]
        query = models.Q()
        for app_label, codename in wanted:
            query |= models.Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(permission_model.objects.filter(query))
