import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from accueil.management.commands._person import PersonCommand
from accueil.privacy import person_data


class Command(PersonCommand):
    help = (
        "Right of access (GDPR art. 15): everything the online reception holds about a person found by phone or "
        "email, in every MDS, as JSON on stdout; the summary goes to stderr. Recorded in the audit trail."
    )

    def handle(self, *args, phone: str, email: str, actor: str, **options):
        agent = self.actor(actor)
        self.check_phone(phone)
        data = person_data(actor=agent, phone=phone, email=email)
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        self.stderr.write(
            _("Found: %(people)d record(s), %(requests)d request(s), %(events)d timeline line(s), "
              "%(notifications)d message(s). Recorded in the audit trail.")
            % {"people": len(data["people"]), "requests": len(data["requests"]), "events": len(data["events"]),
               "notifications": len(data["notifications"])}
        )  # fmt: skip
