"""The shared body of the grant_* commands: grant a privilege from the server, audited."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sites.models import Agent, Privilege
from sites.privileges import privilege_grant_on_server


class GrantCommand(BaseCommand):
    privilege: Privilege

    def add_arguments(self, parser):
        parser.add_argument("email", help="the agent's email address")
        parser.add_argument("--by", required=True, help="who grants it (your name): kept in the record")
        parser.add_argument("--reason", required=True, help="why (decision, ticket): kept in the record")

    def handle(self, *args, email, by, reason, **options):
        try:
            agent = Agent.objects.get_by_natural_key(email.strip())
        except Agent.DoesNotExist:
            raise CommandError(f"No agent with the address {email}.") from None
        try:
            grant = privilege_grant_on_server(agent=agent, privilege=self.privilege, by_name=by, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{agent.email}: {self.privilege.label} granted by {by} (record #{grant.pk}).")
