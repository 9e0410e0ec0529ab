"""What the two right-of-access/erasure commands share: who runs them, and who they are about."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.phone import InvalidPhoneNumber, phone_normalise
from sites.models import Agent


class PersonCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone", default="", help="the person's phone number, in any writing")
        who.add_argument("--email", default="", help="the person's email address")
        parser.add_argument("--actor", required=True, help="email of the agent running it (kept in the audit trail)")

    def actor(self, email: str) -> Agent:
        try:
            return Agent.objects.get(email__iexact=email.strip(), is_active=True)
        except Agent.DoesNotExist:
            raise CommandError(_("No active agent has the email address %(email)s.") % {"email": email}) from None

    def check_phone(self, phone: str) -> None:
        if phone:
            try:
                phone_normalise(phone)
            except InvalidPhoneNumber:
                raise CommandError(_("%(phone)s is not a valid phone number.") % {"phone": phone}) from None
