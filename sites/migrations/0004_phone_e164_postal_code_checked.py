"""Phone numbers in E.164 and postal codes without spaces, for the rows written before they were checked.

A value that cannot be read (`04 13 31 ab`) is left as it was, never dropped nor allowed to fail the migration:
the migration prints which MDS or site it is, and the back-office form refuses it, with its French message,
the next time an agent saves that page."""

from django.core.exceptions import ValidationError
from django.db import migrations

import core.fields


def normalise_contact_data(apps, schema_editor, *, out=print):
    Mds = apps.get_model("mds_sites", "Mds")
    Site = apps.get_model("mds_sites", "Site")
    left = []
    for mds in Mds.objects.exclude(phone="").only("pk", "number", "name", "phone"):
        try:
            e164 = core.fields.phone_clean(mds.phone)
        except ValidationError:
            left.append(f"MDS {mds.number}. {mds.name}: phone {mds.phone!r}")
            continue
        if e164 != mds.phone:
            Mds.objects.filter(pk=mds.pk).update(phone=e164)
    for site in Site.objects.exclude(postal_code="").only("pk", "slug", "postal_code"):
        try:
            core.fields.validate_postal_code(site.postal_code)
        except ValidationError:
            left.append(f"site {site.slug}: postal code {site.postal_code!r}")
            continue
        code = core.fields.postal_code_normalise(site.postal_code)
        if code != site.postal_code:
            Site.objects.filter(pk=site.pk).update(postal_code=code)
    if left:
        out(f"\n  Left as they were, not valid (correct them in the back-office): {'; '.join(left)}.")
    return left


class Migration(migrations.Migration):
    dependencies = [
        ("mds_sites", "0003_privilege_grants"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mds",
            name="phone",
            field=core.fields.PhoneNumberField(blank=True, verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="site",
            name="postal_code",
            field=core.fields.PostalCodeField(blank=True, verbose_name="postal code"),
        ),
        migrations.RunPython(normalise_contact_data, migrations.RunPython.noop, elidable=True),
    ]
