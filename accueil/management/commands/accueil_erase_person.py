from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from accueil.management.commands._person import PersonCommand
from accueil.privacy import person_erase, person_find_everywhere


class Command(PersonCommand):
    help = (
        "Right to erasure (GDPR art. 17): anonymise everything the online reception holds about a person found by "
        "phone or email, in every MDS (names, contact details, messages, notes, the values in the audit trail); "
        "kind, topic, MDS and dates stay for the statistics. Asks for confirmation unless --yes. Recorded."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, phone: str, email: str, actor: str, yes: bool, **options):
        agent = self.actor(actor)
        self.check_phone(phone)
        found = person_find_everywhere(phone=phone, email=email)
        self.stdout.write(
            _("Found: %(people)d record(s) and %(requests)d request(s).")
            % {"people": len(found.people), "requests": len(found.requests)}
        )
        for person in found.people:
            self.stdout.write(f"  {_('record')} #{person.pk} — {person.mds.name}")
        for request in found.requests:
            self.stdout.write(f"  {_('request')} {request.display_reference} — {request.mds.name}")
        if not yes and input(_("Anonymise all of it? Type yes: ")).strip().lower() not in ("yes", "oui"):
            raise CommandError(_("Nothing was changed."))
        report = person_erase(actor=agent, phone=phone, email=email)
        self.stdout.write(
            _("Anonymised: %(people)d record(s), %(requests)d request(s), %(events)d note(s) and message(s) of their "
              "timelines, %(audit)d audit entries redacted. Recorded in the audit trail.")
            % {"people": report.people, "requests": report.requests, "events": report.events,
               "audit": report.audit_entries}
        )  # fmt: skip
        for label, count in report.linked.items():
            self.stdout.write(f"  {label}: {count}")
