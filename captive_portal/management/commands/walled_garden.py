from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from captive_portal import content
from sites.models import Site


class Command(BaseCommand):
    help = (
        "Print a site's walled garden (the domains reachable before accepting) as gateway configuration: "
        "openNDS UCI lines, CoovaChilli options, or one domain per line. The portal's own host "
        "(PORTAL_BASE_URL) is always included."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="the site's slug")
        parser.add_argument("--format", choices=content.GARDEN_FORMATS, default="plain", dest="fmt")

    def handle(self, *args, site: str, fmt: str, **options):
        found = Site.objects.filter(slug=site).first()
        if found is None:
            raise CommandError(_("No site has the slug “%(slug)s”.") % {"slug": site})
        if not content.portal_host():
            # Without it the phone could not even load the splash: refuse rather than print a broken list.
            raise CommandError(_("PORTAL_BASE_URL is not set: the portal's own host must be in the walled garden."))
        self.stdout.write(content.garden_config(content.walled_garden(found), fmt), ending="")
