"""Who may give which role where, and whose account they may change.

The rule for roles: an MDS manager gives the per-MDS roles of their own MDS; programme staff give
the per-MDS roles of every MDS; administrators also give the département-wide roles. Nobody gives
the privileged roles here (legal requisition, administrator: a second administrator's approval or a
server command grants them, see sites.privileges), nor superuser status, and nobody changes their own roles.

The rule for accounts: one may edit, deactivate or re-invite an agent only if one could have given
every role that agent holds, so an MDS manager never reaches a colleague who also works elsewhere
or holds a département-wide role, and programme staff never reach an administrator.
"""

from sites.privileges import PRIVILEGED_ROLES, is_administrator
from sites.roles import DEPARTEMENT_WIDE_ROLES, PER_MDS_ROLES, Role

# Never granted through the agents pages, whoever asks: they need a second administrator (sites.privileges).
NEVER_GRANTED_HERE = PRIVILEGED_ROLES


def _sees_all_for_people(actor) -> bool:
    """Programme staff and administrators manage the agents of every MDS."""
    return is_administrator(actor) or any(role == Role.PROGRAMME for role, _mds in actor.roles)


def managed_mds_ids(actor) -> set[int] | None:
    """The MDS whose per-MDS roles `actor` gives: None for all of them, an empty set for none."""
    if not (actor.is_authenticated and actor.is_active):
        return set()
    if _sees_all_for_people(actor):
        return None
    return {mds_id for role, mds_id in actor.roles if role == Role.MDS_MANAGER and mds_id is not None}


def may_grant(actor, role: Role | str, mds_id: int | None) -> bool:
    """Whether `actor` may give (or take back) `role` at the MDS `mds_id` (None for département-wide)."""
    role = Role(role)
    if role in NEVER_GRANTED_HERE or not (actor.is_authenticated and actor.is_active):
        return False
    if role in DEPARTEMENT_WIDE_ROLES:
        return mds_id is None and is_administrator(actor)
    if mds_id is None:
        return False
    managed = managed_mds_ids(actor)
    return managed is None or mds_id in managed


def grantable_roles(actor) -> list[Role]:
    """The roles `actor` may give somewhere, in the order of `Role`."""
    managed = managed_mds_ids(actor)
    roles = [r for r in Role if r in PER_MDS_ROLES] if managed is None or managed else []
    if is_administrator(actor) and actor.is_active:
        roles += [r for r in Role if r in DEPARTEMENT_WIDE_ROLES and r not in NEVER_GRANTED_HERE]
    return roles


def may_manage(actor, target) -> bool:
    """Whether `actor` may edit, deactivate, reactivate or re-invite `target`."""
    if actor.pk == target.pk or target.is_superuser:
        return False
    if not (actor.is_authenticated and actor.is_active):
        return False
    if target.is_staff and not is_administrator(actor):
        return False
    roles = target.roles
    if not roles:
        # Nobody's agent (every role taken back): only those who see every MDS reach them.
        return _sees_all_for_people(actor)
    return all(may_grant(actor, role, mds_id) for role, mds_id in roles)
