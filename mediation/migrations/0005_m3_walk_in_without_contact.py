# A walk-in may give a first name only, or nothing at all (mediation.sessions.walk_in_add): nothing is sent to
# someone present, and an anonymous walk-in is counted without anything kept about them.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mediation', '0004_notifications'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='registration',
            name='registration_phone_or_email',
        ),
        migrations.AlterField(
            model_name='registration',
            name='first_name',
            field=models.CharField(blank=True, max_length=100, verbose_name='first name'),
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('email', ''), ('phone', ''), _negated=True), ('anonymised_at__isnull', False), ('walk_in', True), _connector='OR'), name='registration_phone_or_email', violation_error_code='registration_phone_or_email', violation_error_message='Give a phone number or an email address.'),
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('first_name', ''), _negated=True), ('anonymised_at__isnull', False), ('walk_in', True), _connector='OR'), name='registration_first_name', violation_error_code='registration_first_name', violation_error_message='Give a first name.'),
        ),
    ]
