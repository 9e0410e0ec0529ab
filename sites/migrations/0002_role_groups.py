"""The groups behind the roles, with their permissions (see sites.roles.ROLE_PERMISSIONS)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_role_groups(apps, schema_editor):
    from sites.roles import sync_role_groups

    # Permissions are normally made after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    sync_role_groups(apps)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__startswith="role:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mds_sites", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
