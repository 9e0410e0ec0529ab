"""The shared body of the grant_* commands: grant a privilege from the server, audited."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
            raise CommandError(_("No agent has the address %(email)s.") % {"email": email}) from None
        try:
            grant = privilege_grant_on_server(agent=agent, privilege=self.privilege, by_name=by, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        label = str(self.privilege.label)
        self.stdout.write(
            _("%(email)s: %(privilege)s granted by %(by)s (record no. %(record)s).")
            # The label starts a phrase ("Superuser status"); here it is inside one: "…: superuser status granted".
            % {"email": agent.email, "privilege": label[:1].lower() + label[1:], "by": by, "record": grant.pk}
        )
