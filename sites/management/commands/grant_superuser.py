from sites.management.commands._grant import GrantCommand
from sites.models import Privilege


class Command(GrantCommand):
    help = "Give an agent superuser status from the server; recorded with --by and --reason."
    privilege = Privilege.SUPERUSER
