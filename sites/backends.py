"""Permissions that follow memberships: a role's group grants its permissions where the role is held.

`agent.has_perm("mds_sites.change_site")` is true if any role of the agent grants it;
`agent.has_perm("mds_sites.change_site", site)` only if a role held for that site's MDS (or a
département-wide role) grants it. Which MDS an object belongs to is its model's `mds_path`
(`sites.scoping.mds_id_of`). The groups are the `role:<name>` groups made by migration.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from sites.roles import Role
from sites.scoping import mds_id_of


class MembershipBackend(ModelBackend):
    def _role_permissions(self, agent) -> dict[str, set[str]]:
        cached = getattr(agent, "_role_permissions_cache", None)
        if cached is None:
            names = {Role(role).group_name: role for role, _mds in agent.roles}
            rows = Permission.objects.filter(group__name__in=names).values_list(
                "group__name", "content_type__app_label", "codename"
            )
            cached = {role: set() for role in names.values()}
            for group_name, app_label, codename in rows:
                cached[names[group_name]].add(f"{app_label}.{codename}")
            agent._role_permissions_cache = cached
        return cached

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        role_perms = self._role_permissions(user_obj)
        if obj is None:
            roles = {role for role, _mds in user_obj.roles}
        else:
            target = mds_id_of(obj)
            roles = {role for role, mds_id in user_obj.roles if mds_id is None or mds_id == target}
        return set().union(*(role_perms.get(role, set()) for role in roles))

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if obj is None:
            return super().get_all_permissions(user_obj)
        return self.get_group_permissions(user_obj, obj)

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and user_obj.is_superuser:
            return True
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)
