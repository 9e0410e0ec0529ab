"""Who may grant what: role × action, through the Django admin and through the back-office."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites import two_factor
from sites.models import GrantStatus, Membership, Privilege, PrivilegeGrant
from sites.privileges import privilege_request
from sites.roles import Role
from tests.factories import PASSWORD, AgentFactory, MdsFactory, agent_with_role
from tests.sites.admin_forms import admin_form

pytestmark = pytest.mark.django_db

ADMINS = {"admin", "superuser"}
NOBODY: set[str] = set()


def _actor(kind: str, mds):
    if kind == "admin":
        return agent_with_role(Role.ADMIN, is_staff=True)
    if kind == "superuser":
        return AgentFactory(is_staff=True, is_superuser=True)
    if kind == "programme":
        return agent_with_role(Role.PROGRAMME, is_staff=True)
    return agent_with_role(Role.MDS_MANAGER, mds, is_staff=True)


def _holds(agent, role) -> bool:
    return Membership.objects.filter(agent=agent, role=role).exists()


# --- The Django admin --------------------------------------------------------------------------------


def _post_agent_form(client, agent, **changes):
    url = reverse("admin:mds_sites_agent_change", args=[agent.pk])
    data = admin_form(client, url, "agent_form")
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [value]
    return client.post(url, data)


def admin_tick_own_superuser(client, actor, target, mds, other_admin):
    _post_agent_form(client, actor, is_superuser="on")
    actor.refresh_from_db()
    return actor.is_superuser


def admin_drop_own_staff_flag(client, actor, target, mds, other_admin):
    _post_agent_form(client, actor, is_staff=None)
    actor.refresh_from_db()
    return not actor.is_staff


def admin_drop_someones_staff_flag(client, actor, target, mds, other_admin):
    _post_agent_form(client, target, is_staff=None)
    target.refresh_from_db()
    return not target.is_staff


def admin_untick_someone_elses_superuser(client, actor, target, mds, other_admin):
    target.is_superuser = True
    target.save(update_fields=["is_superuser"])
    _post_agent_form(client, target, is_superuser=None)
    target.refresh_from_db()
    return not target.is_superuser


def admin_tick_someone_elses_superuser(client, actor, target, mds, other_admin):
    _post_agent_form(client, target, is_superuser="on", is_staff="on")
    target.refresh_from_db()
    return target.is_superuser


def _inline_row(client, agent, role, mds):
    url = reverse("admin:mds_sites_agent_change", args=[agent.pk])
    data = admin_form(client, url, "agent_form")
    index = int(data["memberships-TOTAL_FORMS"][0])
    data["memberships-TOTAL_FORMS"] = [str(index + 1)]
    data.update(
        {
            f"memberships-{index}-agent": [str(agent.pk)],
            f"memberships-{index}-id": [""],
            f"memberships-{index}-role": [role],
            f"memberships-{index}-mds": [str(mds.pk) if mds else ""],
        }
    )
    client.post(url, data)


def admin_inline_own_reception(client, actor, target, mds, other_admin):
    _inline_row(client, actor, Role.RECEPTION, mds)
    return Membership.objects.filter(agent=actor, role=Role.RECEPTION).exists()


def admin_inline_requisition_to_someone(client, actor, target, mds, other_admin):
    _inline_row(client, target, Role.LEGAL_REQUISITION, None)
    return _holds(target, Role.LEGAL_REQUISITION)


def admin_inline_reception_to_someone(client, actor, target, mds, other_admin):
    _inline_row(client, target, Role.RECEPTION, mds)
    return _holds(target, Role.RECEPTION)


def _add_membership(client, agent, role, mds):
    data = {"agent": agent.pk, "role": role, "mds": mds.pk if mds else ""}
    client.post(reverse("admin:mds_sites_membership_add"), data)


def admin_membership_requisition_to_self(client, actor, target, mds, other_admin):
    _add_membership(client, actor, Role.LEGAL_REQUISITION, None)
    return _holds(actor, Role.LEGAL_REQUISITION)


def admin_membership_requisition_to_someone(client, actor, target, mds, other_admin):
    _add_membership(client, target, Role.LEGAL_REQUISITION, None)
    return _holds(target, Role.LEGAL_REQUISITION)


def admin_membership_admin_role_to_someone(client, actor, target, mds, other_admin):
    _add_membership(client, target, Role.ADMIN, None)
    return _holds(target, Role.ADMIN)


def admin_membership_reception_to_self(client, actor, target, mds, other_admin):
    _add_membership(client, actor, Role.RECEPTION, mds)
    return Membership.objects.filter(agent=actor, role=Role.RECEPTION).exists()


def admin_membership_reception_to_someone(client, actor, target, mds, other_admin):
    _add_membership(client, target, Role.RECEPTION, mds)
    return _holds(target, Role.RECEPTION)


def admin_move_someones_requisition_to_self(client, actor, target, mds, other_admin):
    membership = Membership.objects.create(agent=target, role=Role.LEGAL_REQUISITION)
    url = reverse("admin:mds_sites_membership_change", args=[membership.pk])
    client.post(url, {"agent": actor.pk, "role": Role.LEGAL_REQUISITION, "mds": ""})
    return _holds(actor, Role.LEGAL_REQUISITION)


def admin_approve_own_request(client, actor, target, mds, other_admin):
    client.post(
        reverse("admin:mds_sites_privilegegrant_add"),
        {"agent": target.pk, "privilege": Privilege.LEGAL_REQUISITION, "reason": "réquisition 12"},
    )
    grants = PrivilegeGrant.objects.filter(agent=target)
    client.post(
        reverse("admin:mds_sites_privilegegrant_changelist"),
        {"action": "approve", "_selected_action": [g.pk for g in grants]},
    )
    return _holds(target, Role.LEGAL_REQUISITION)


def admin_approve_another_admins_request(client, actor, target, mds, other_admin):
    grant = privilege_request(agent=target, privilege=Privilege.LEGAL_REQUISITION, by=other_admin, reason="PV 7")
    client.post(
        reverse("admin:mds_sites_privilegegrant_changelist"), {"action": "approve", "_selected_action": [grant.pk]}
    )
    return _holds(target, Role.LEGAL_REQUISITION)


# --- The back-office ---------------------------------------------------------------------------------


def backoffice_request_for_self(client, actor, target, mds, other_admin):
    client.post(
        reverse("sites:privilege_grants"),
        {"agent": actor.pk, "privilege": Privilege.SUPERUSER, "reason": "moi"},
    )
    return PrivilegeGrant.objects.filter(agent=actor).exists()


def backoffice_request_then_approve_it(client, actor, target, mds, other_admin):
    client.post(
        reverse("sites:privilege_grants"),
        {"agent": target.pk, "privilege": Privilege.LEGAL_REQUISITION, "reason": "réquisition 12"},
    )
    for grant in PrivilegeGrant.objects.filter(agent=target):
        client.post(reverse("sites:privilege_grant_decide", args=[grant.pk]), {"decision": "approve"})
    return _holds(target, Role.LEGAL_REQUISITION)


def backoffice_approve_another_admins_request(client, actor, target, mds, other_admin):
    grant = privilege_request(agent=target, privilege=Privilege.SUPERUSER, by=other_admin, reason="astreinte")
    client.post(reverse("sites:privilege_grant_decide", args=[grant.pk]), {"decision": "approve"})
    target.refresh_from_db()
    return target.is_superuser


def backoffice_approve_a_request_about_self(client, actor, target, mds, other_admin):
    grant = privilege_request(agent=actor, privilege=Privilege.LEGAL_REQUISITION, by=other_admin, reason="PV 9")
    client.post(reverse("sites:privilege_grant_decide", args=[grant.pk]), {"decision": "approve"})
    return _holds(actor, Role.LEGAL_REQUISITION)


# action → the actors for whom it takes effect
TABLE = {
    admin_tick_own_superuser: NOBODY,
    admin_drop_own_staff_flag: NOBODY,
    admin_drop_someones_staff_flag: ADMINS,
    admin_tick_someone_elses_superuser: NOBODY,
    admin_untick_someone_elses_superuser: ADMINS,
    admin_inline_own_reception: NOBODY,
    admin_inline_requisition_to_someone: NOBODY,
    admin_inline_reception_to_someone: ADMINS,
    admin_membership_requisition_to_self: NOBODY,
    admin_membership_requisition_to_someone: NOBODY,
    admin_membership_admin_role_to_someone: NOBODY,
    admin_membership_reception_to_self: NOBODY,
    admin_membership_reception_to_someone: ADMINS,
    admin_move_someones_requisition_to_self: NOBODY,
    admin_approve_own_request: NOBODY,
    admin_approve_another_admins_request: ADMINS,
    backoffice_request_for_self: NOBODY,
    backoffice_request_then_approve_it: NOBODY,
    backoffice_approve_another_admins_request: ADMINS,
    backoffice_approve_a_request_about_self: NOBODY,
}
ACTORS = ["admin", "superuser", "programme", "mds_manager"]


@pytest.mark.parametrize("actor_kind", ACTORS)
@pytest.mark.parametrize("action", list(TABLE), ids=[action.__name__ for action in TABLE])
def test_who_may_grant_what(signed_in, action, actor_kind):
    """Each role tries each way of granting; only the table's cells take effect."""
    mds = MdsFactory()
    actor = _actor(actor_kind, mds)
    if action is admin_tick_own_superuser and actor.is_superuser:
        pytest.skip("already a superuser")
    target = AgentFactory(is_staff=True)
    other_admin = agent_with_role(Role.ADMIN, is_staff=True)
    client = signed_in(actor)
    assert action(client, actor, target, mds, other_admin) == (actor_kind in TABLE[action])


def test_a_grant_approved_by_a_second_administrator_keeps_who_asked_who_approved_and_why(signed_in):
    """The record names both administrators and the reason; the audit trail has the new membership."""
    first = agent_with_role(Role.ADMIN, is_staff=True)
    second = agent_with_role(Role.ADMIN, is_staff=True)
    officer = AgentFactory()
    grant = privilege_request(agent=officer, privilege=Privilege.LEGAL_REQUISITION, by=first, reason="arrêté 2026-4")
    signed_in(second).post(reverse("sites:privilege_grant_decide", args=[grant.pk]), {"decision": "approve"})
    grant.refresh_from_db()
    assert (grant.status, grant.requested_by, grant.decided_by) == (GrantStatus.APPROVED, first, second)
    assert _holds(officer, Role.LEGAL_REQUISITION)
    assert LogEntry.objects.get_for_model(Membership).filter(object_repr__contains=str(officer)).exists()


def test_the_database_refuses_a_grant_decided_by_its_requester():
    """The four-eyes rule holds even for a write that skips the service."""
    from django.db import IntegrityError

    admin = agent_with_role(Role.ADMIN, is_staff=True)
    grant = privilege_request(agent=AgentFactory(), privilege=Privilege.ADMIN, by=admin, reason="relève")
    with pytest.raises(IntegrityError):
        PrivilegeGrant.objects.filter(pk=grant.pk).update(decided_by=admin)


def test_grant_requisition_on_the_server_gives_the_role_and_records_who_and_why():
    """The command is the other way in: it names who ran it and why, and the role is held at once."""
    officer = AgentFactory(email="officier@departement.test")
    out = io.StringIO()
    by, reason = ("--by", "C. Martin (DSI)"), ("--reason", "PV 2026-12")
    call_command("grant_requisition", "Officier@departement.test", *by, *reason, stdout=out)
    assert _holds(officer, Role.LEGAL_REQUISITION)
    grant = PrivilegeGrant.objects.get(agent=officer)
    assert out.getvalue().strip() == (
        f"officier@departement.test\u00a0: rôle d’officier de réquisition judiciaire accordé par C. Martin (DSI) "
        f"(enregistrement n°\u00a0{grant.pk})."
    )
    assert (grant.status, grant.requested_by_name, grant.reason) == (
        GrantStatus.APPROVED,
        "C. Martin (DSI)",
        "PV 2026-12",
    )
    assert LogEntry.objects.get_for_model(PrivilegeGrant).filter(object_pk=str(grant.pk)).exists()


def test_grant_superuser_on_the_server_needs_a_reason_and_a_name():
    """Without --by or with a blank reason nothing is granted."""
    agent = AgentFactory(email="chef@departement.test")
    with pytest.raises(CommandError):
        call_command("grant_superuser", "chef@departement.test", "--by", "DSI", "--reason", "  ")
    with pytest.raises(CommandError, match=r"Aucun agent n’a l’adresse personne@departement\.test\."):
        call_command("grant_superuser", "personne@departement.test", "--by", "DSI", "--reason", "astreinte")
    agent.refresh_from_db()
    assert not agent.is_superuser
    call_command("grant_superuser", "chef@departement.test", "--by", "DSI", "--reason", "astreinte")
    agent.refresh_from_db()
    assert agent.is_superuser and agent.is_staff


# --- Taking over a privileged account -----------------------------------------------------------------


def _privileged(kind: str):
    if kind == "superuser":
        return AgentFactory(is_staff=True, is_superuser=True)
    role = {"administrator": Role.ADMIN, "legal requisition": Role.LEGAL_REQUISITION}[kind]
    return agent_with_role(role, is_staff=role == Role.ADMIN)


@pytest.mark.parametrize("victim_kind", ["superuser", "administrator", "legal requisition"])
def test_an_administrator_cannot_take_over_a_privileged_account_through_the_admin(signed_in, victim_kind):
    """Setting the password, changing the email or resetting the second factor of an account holding a privilege
    would let one administrator sign in as it: refused, and nothing changes."""
    victim = _privileged(victim_kind)
    TOTPDevice.objects.create(user=victim, name="default", confirmed=True)
    client = signed_in(agent_with_role(Role.ADMIN, is_staff=True))

    password_page = reverse("admin:auth_user_password_change", args=[victim.pk])  # UserAdmin names it so
    new_password = "Une-autre-phrase-de-passe-42"
    assert client.get(password_page).status_code == 403
    client.post(password_page, {"password1": new_password, "password2": new_password})
    change_page = reverse("admin:mds_sites_agent_change", args=[victim.pk])
    assert 'name="email"' not in client.get(change_page).content.decode()  # shown, not editable
    _post_agent_form(client, victim, email="moi@pirate.test")
    reset = {"action": "reset_second_factor", "_selected_action": [victim.pk], "apply": "1", "reason": "perdu"}
    client.post(reverse("admin:mds_sites_agent_changelist"), reset)

    victim.refresh_from_db()
    assert victim.check_password(PASSWORD) and victim.email != "moi@pirate.test"
    assert TOTPDevice.objects.filter(user=victim).exists()


def test_a_superuser_still_resets_a_privileged_accounts_lost_phone(signed_in):
    """The way out for a lost phone stays: a superuser (a second person, by construction) does it."""
    victim = _privileged("administrator")
    TOTPDevice.objects.create(user=victim, name="default", confirmed=True)
    two_factor.totp_device_reset(agent=victim, by=AgentFactory(is_superuser=True, is_staff=True), reason="perdu")
    assert not TOTPDevice.objects.filter(user=victim).exists()
    with pytest.raises(PermissionDenied):
        two_factor.totp_device_reset(agent=_privileged("superuser"), by=agent_with_role(Role.ADMIN), reason="perdu")
