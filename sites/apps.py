from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, **kwargs):
    # post_migrate comes once per app that has models; every app's permissions exist after the last one.
    with_models = [config.label for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label == with_models[-1]:
        from sites.roles import sync_role_groups

        sync_role_groups(kwargs.get("apps") or apps)


class SitesConfig(AppConfig):
    name = "sites"
    # Not "sites": that is django.contrib.sites' label, which flatpages, sitemaps and most authentication
    # add-ons require beside us.
    label = "mds_sites"
    verbose_name = _("MDS, sites and agents")

    def ready(self):
        from sites import audit, retention  # noqa: F401  (audit registers the models with the audit trail)
        from sites.navigation import NavEntry, register
        from sites.roles import Role, grant

        register(NavEntry(label=_("Dashboard"), url_name="sites:dashboard", order=0))
        register(
            NavEntry(
                label=_("Privileges"),
                url_name="sites:privilege_grants",
                permission="mds_sites.view_privilegegrant",
                order=900,
            )
        )
        register(NavEntry(label=_("Sites"), url_name="sites:site_list", permission="mds_sites.view_site", order=5))
        register(NavEntry(label=_("Agents"), url_name="sites:agent_list", permission="mds_sites.view_agent", order=90))
        # The Django admin, for the staff it lets in (mds_connectees.admin.MdsAdminSite.has_permission).
        register(NavEntry(label=_("Administration"), url_name="admin:index", order=1000,
                          may_open=lambda agent: bool(agent.is_active and agent.is_staff)))  # fmt: skip
        # core is below sites and cannot declare its own retention nor roles: its notification log's are here.
        grant(Role.ADMIN, "core.view_sentmessage")
        # One year: long enough to answer "I never got the reminder" and to check the provider's invoices of
        # the past year against what was sent; the rows hold no body and a masked number only.
        retention.keep(
            "core.SentMessage", date_field="created_at", days=365,
            purpose="Proof that a notification (SMS, email) was sent, and what the provider billed for it",
            legal_basis="Legitimate interest: answering the public's and the provider's questions",
        )  # fmt: skip
        # A flush (transactional tests) empties the groups: build them again afterwards.
        post_migrate.connect(_sync_role_groups, dispatch_uid="sites.sync_role_groups")
