import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from sites import roles
from sites.roles import Role, sync_role_groups

pytestmark = pytest.mark.django_db


def _perms(group_name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=group_name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_each_role_group_holds_exactly_the_permissions_of_the_code():
    """After a sync every role: group equals its list in sites.roles, nothing more."""
    sync_role_groups(apps)
    for role, wanted in roles.ROLE_PERMISSIONS.items():
        assert _perms(role.group_name) == wanted, role


def test_a_permission_removed_from_a_role_in_code_leaves_its_group(monkeypatch):
    """Taking change_site from ops in code takes it from the deployed group at the next sync."""
    sync_role_groups(apps)
    assert "mds_sites.change_site" in _perms(Role.OPS.group_name)
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, Role.OPS, roles.ROLE_PERMISSIONS[Role.OPS] - {"mds_sites.change_site"})
    sync_role_groups(apps)
    assert "mds_sites.change_site" not in _perms(Role.OPS.group_name)
    assert "mds_sites.view_site" in _perms(Role.OPS.group_name)


def test_rights_added_by_hand_live_in_other_groups_and_stay_there():
    """A hand-made group keeps its rights; the same right slipped into a role: group is taken back."""
    extra = Permission.objects.get(content_type__app_label="mds_sites", codename="delete_site")
    hand_made = Group.objects.create(name="Support exceptionnel")
    hand_made.permissions.add(extra)
    Group.objects.get(name=Role.FINANCE.group_name).permissions.add(extra)
    sync_role_groups(apps)
    assert "mds_sites.delete_site" not in _perms(Role.FINANCE.group_name)
    assert "mds_sites.delete_site" in _perms("Support exceptionnel")


def test_role_groups_are_read_only_in_the_admin(signed_in):
    """A superuser cannot add a right to a role: group by hand (it would reach every holder, themselves included)."""
    from django.urls import reverse

    from tests.factories import AgentFactory

    sync_role_groups(apps)
    client = signed_in(AgentFactory(is_staff=True, is_superuser=True))
    group = Group.objects.get(name=Role.ADMIN.group_name)
    extra = Permission.objects.get(content_type__app_label="auth", codename="change_group")
    client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": group.name, "permissions": [extra.pk]})
    client.post(reverse("admin:auth_group_add"), {"name": "role:shadow", "permissions": [extra.pk]})
    assert "auth.change_group" not in _perms(Role.ADMIN.group_name)
    assert not Group.objects.filter(name="role:shadow").exists()
    client.post(reverse("admin:auth_group_add"), {"name": "Support", "permissions": [extra.pk]})
    assert _perms("Support") == {"auth.change_group"}
