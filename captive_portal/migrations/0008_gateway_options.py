"""A portal's gateway-specific columns become one JSON field, `gateway_options`, validated by the gateway's class.

Every non-empty value moves, whatever the portal's kind, so that going back restores the columns exactly;
the next save through the admin keeps only the options of the portal's own gateway.
"""

import django.core.serializers.json
from django.db import migrations, models

import captive_portal.models

MOVED = ("gateway_name", "secret_name", "gateway_networks", "controller_url", "controller_site")
COLUMN_DEFAULTS = {"controller_site": "default"}


def columns_to_options(apps, schema_editor):
    SitePortal = apps.get_model("captive_portal", "SitePortal")
    for portal in SitePortal.objects.all():
        portal.gateway_options = {name: getattr(portal, name) for name in MOVED if getattr(portal, name)}
        portal.save(update_fields=["gateway_options"])


def options_to_columns(apps, schema_editor):
    SitePortal = apps.get_model("captive_portal", "SitePortal")
    for portal in SitePortal.objects.all():
        options = portal.gateway_options or {}
        for name in MOVED:
            setattr(portal, name, str(options.get(name) or COLUMN_DEFAULTS.get(name, "")))
        portal.save(update_fields=list(MOVED))


class Migration(migrations.Migration):
    dependencies = [
        ("captive_portal", "0007_connection_log_long_connections_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="siteportal",
            name="gateway_options",
            field=captive_portal.models.GatewayOptionsField(
                blank=True,
                default=dict,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
                verbose_name="gateway options",
            ),
        ),
        migrations.RunPython(columns_to_options, options_to_columns),
        migrations.RemoveField(model_name="siteportal", name="controller_site"),
        migrations.RemoveField(model_name="siteportal", name="controller_url"),
        migrations.RemoveField(model_name="siteportal", name="gateway_name"),
        migrations.RemoveField(model_name="siteportal", name="gateway_networks"),
        migrations.RemoveField(model_name="siteportal", name="secret_name"),
        migrations.AlterField(
            model_name="connectionrecord",
            name="gateway_kind",
            field=models.CharField(choices=captive_portal.models.gateway_kind_choices, max_length=20),
        ),
        migrations.AlterField(
            model_name="siteportal",
            name="gateway_kind",
            field=models.CharField(
                choices=captive_portal.models.gateway_kind_choices, max_length=20, verbose_name="gateway"
            ),
        ),
    ]
