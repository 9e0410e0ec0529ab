from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from captive_portal.captive_api import gateway_setup, portal_origin
from captive_portal.models import SitePortal


class Command(BaseCommand):
    help = (
        "Print what to configure on each site's gateway (openNDS FAS options, UniFi external portal) and DHCP "
        "server (RFC 8910: DHCPv4 option 114, DHCPv6 option 103, IPv6 RA option 37), with warnings. Secrets are "
        "named, never shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", help="site slug (default: every enabled portal)")

    def handle(self, *args, site: str | None, **options):
        # Ops read this in a terminal and paste it into tickets: English, like the rest of the tooling,
        # whereas the back office shows the same setup in French.
        with translation.override("en"):
            self._print(site)

    def _print(self, site: str | None) -> None:
        portals = SitePortal.objects.filter(enabled=True).select_related("site").order_by("site__slug")
        if site:
            portals = portals.filter(site__slug=site)
            if not portals:
                raise CommandError(f"No enabled portal for site {site!r}.")
        origin = portal_origin()
        for portal in portals:
            setup = gateway_setup(portal, origin=origin)
            self.stdout.write(self.style.MIGRATE_HEADING(f"{setup.slug} — {setup.kind}"))
            if portal.needs_setup:
                self.stdout.write(self.style.WARNING("  ! to configure: default click-through portal of a new install"))
            for name, value in setup.settings:
                self.stdout.write(f"  {name}: {value}")
            self.stdout.write(f"  RFC 8908 API: {setup.api_url}")
            for option, advice in setup.dhcp:
                self.stdout.write(f"  {option}: {advice}")
            for warning in setup.warnings:
                self.stdout.write(self.style.WARNING(f"  ! {warning}"))
