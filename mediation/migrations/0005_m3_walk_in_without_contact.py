# A walk-in may give a first name only (mediation.sessions.walk_in_add): nothing is sent to someone present.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mediation', '0003_registration_language'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='registration',
            name='registration_phone_or_email',
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('email', ''), ('phone', ''), _negated=True), ('anonymised_at__isnull', False), ('walk_in', True), _connector='OR'), name='registration_phone_or_email', violation_error_code='registration_phone_or_email', violation_error_message='Give a phone number or an email address.'),
        ),
    ]
