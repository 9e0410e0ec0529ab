"""Separation of duties: who may change whose roles and flags.

- Nobody changes their own roles or flags (memberships, is_staff, is_superuser, is_active).
- The privileges of `Privilege` (legal-requisition role, administrator role, superuser status) are
  never granted by one administrator: another administrator approves a pending grant, or a command
  run on the server records it (`grant_requisition`, `grant_admin`, `grant_superuser`).
- Other roles: in the admin, `membership_change_check()` guards every membership form; in the back-office,
  the agents pages decide with `sites.grants.may_grant()`, which also refuses the privileged roles.
- An account holding a privilege is changed (password, email, second factor) only by itself or a
  superuser: `may_change_account()`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.models import Agent, GrantStatus, Membership, Privilege, PrivilegeGrant
from sites.roles import Role

PRIVILEGED_ROLES = frozenset({Role(Privilege.LEGAL_REQUISITION.value), Role(Privilege.ADMIN.value)})


def is_administrator(agent: Agent) -> bool:
    return bool(agent.is_active and (agent.is_superuser or agent.has_role(Role.ADMIN)))


def holds_privilege(agent: Agent) -> bool:
    """Superuser status or a privileged role: what one administrator alone never grants."""
    return agent.is_superuser or any(role in PRIVILEGED_ROLES for role, _mds in agent.roles)


def may_change_account(*, by: Agent, agent: Agent) -> bool:
    """Whether `by` may change `agent`'s account (password, email, flags, second factor) in the admin.

    An account that holds a privilege is changed only by itself or a superuser: otherwise one administrator
    could set a colleague's password, reset their second factor and sign in as them, which is the grant of
    that privilege the second administrator's approval exists to prevent.
    """
    return by.pk == agent.pk or by.is_superuser or not holds_privilege(agent)


def membership_change_check(*, by: Agent, agent: Agent | None, role: str, previous_role: str | None = None) -> None:
    """Raise ValidationError when `by` may not give `agent` the role `role`.

    `previous_role` is the role the same membership of the same agent held before an edit (an edit
    that keeps a privileged role is not a grant). `agent` is None for an account being created.
    """
    if agent is not None and by.pk == agent.pk:
        raise ValidationError(_("Nobody changes their own roles: ask another administrator."), code="own")
    if role in PRIVILEGED_ROLES and role != previous_role:
        raise ValidationError(
            _(
                "The %(role)s role is granted only with a second administrator's approval "
                "(privilege grants) or by a command on the server."
            )
            % {"role": Role(role).label},
            code="privileged",
        )


def _holds(agent: Agent, privilege: str) -> bool:
    if privilege == Privilege.SUPERUSER:
        return agent.is_superuser
    return Membership.objects.filter(agent=agent, role=privilege, mds__isnull=True).exists()


def _apply(grant: PrivilegeGrant) -> None:
    agent = Agent.objects.select_for_update().get(pk=grant.agent_id)
    if grant.privilege == Privilege.SUPERUSER:
        agent.is_superuser = True
        agent.is_staff = True
        agent.save(update_fields=["is_superuser", "is_staff"])
    else:
        Membership.objects.get_or_create(agent=agent, role=grant.privilege, mds=None)
        if grant.privilege == Privilege.ADMIN and not agent.is_staff:
            agent.is_staff = True  # administrators work in the Django admin
            agent.save(update_fields=["is_staff"])


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason (e.g. the decision or the ticket)."), code="reason")
    return reason


def privilege_request_check(*, agent: Agent, privilege: str, by: Agent) -> None:
    if not is_administrator(by):
        raise PermissionDenied(_("Only an administrator asks for a privilege."))
    if by.pk == agent.pk:
        raise ValidationError(_("Nobody asks for a privilege for themselves."), code="own")
    if _holds(agent, privilege):
        raise ValidationError(_("This agent already holds this privilege."), code="held")


@transaction.atomic
def privilege_request(*, agent: Agent, privilege: str, by: Agent, reason: str) -> PrivilegeGrant:
    """An administrator asks for `agent` to receive `privilege`; another administrator decides."""
    privilege_request_check(agent=agent, privilege=privilege, by=by)
    try:
        with transaction.atomic():
            return PrivilegeGrant.objects.create(
                agent=agent,
                privilege=privilege,
                reason=_reason(reason),
                requested_by=by,
                requested_by_name=by.get_full_name() or by.email,
            )
    except IntegrityError:
        raise ValidationError(_("A request for this privilege is already waiting."), code="pending") from None


@transaction.atomic
def privilege_decide(*, grant: PrivilegeGrant, by: Agent, approve: bool) -> PrivilegeGrant:
    """A second administrator approves (the privilege is given at once) or refuses a pending grant."""
    grant = PrivilegeGrant.objects.select_for_update().get(pk=grant.pk)
    if not is_administrator(by):
        raise PermissionDenied(_("Only an administrator decides on a privilege."))
    if by.pk in (grant.requested_by_id, grant.agent_id):
        raise PermissionDenied(_("Another administrator must decide: not the one who asked, nor the agent."))
    if grant.status != GrantStatus.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    grant.status = GrantStatus.APPROVED if approve else GrantStatus.REFUSED
    grant.decided_by = by
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        _apply(grant)
    return grant


@transaction.atomic
def privilege_grant_on_server(*, agent: Agent, privilege: str, by_name: str, reason: str) -> PrivilegeGrant:
    """Grant from a command run on the server (whoever can run it already controls the platform)."""
    by_name = by_name.strip()
    if not by_name:
        raise ValidationError(_("Say who grants it (--by)."), code="by")
    now = timezone.now()
    grant = PrivilegeGrant.objects.create(
        agent=agent,
        privilege=privilege,
        reason=_reason(reason),
        requested_by=None,
        requested_by_name=by_name,
        status=GrantStatus.APPROVED,
        decided_at=now,
    )
    _apply(grant)
    return grant
