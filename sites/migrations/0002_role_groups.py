"""The groups behind the roles, with the permissions each role grants on the sites app.

Later apps add their own permissions to these groups in their own migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_mds", "view_site", "view_zone", "view_openingperiod", "view_service"]
EDIT_PREMISES = ["change_site", "add_zone", "change_zone", "delete_zone"]
EDIT_MDS = ["change_mds", "add_openingperiod", "change_openingperiod", "delete_openingperiod"]
PEOPLE = ["view_membership", "view_agent"]
EVERYTHING = [
    f"{action}_{model}"
    for model in ("mds", "site", "zone", "openingperiod", "service", "membership", "agent")
    for action in ("add", "change", "delete", "view")
]

ROLE_PERMISSIONS = {
    "reception": VIEW,
    "social_worker": VIEW,
    "mediator": VIEW,
    "mds_manager": VIEW + EDIT_PREMISES + EDIT_MDS + PEOPLE,
    "programme": VIEW + PEOPLE,
    "finance": VIEW,
    "ops": VIEW + EDIT_PREMISES,
    "legal_requisition": VIEW,
    "admin": EVERYTHING,
}


def create_role_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=f"role:{role}")
        perms = permission_model.objects.filter(content_type__app_label="sites", codename__in=codenames)
        group.permissions.add(*perms)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__startswith="role:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
