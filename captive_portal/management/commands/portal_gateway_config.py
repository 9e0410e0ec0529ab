from django.core.management.base import BaseCommand, CommandError

from captive_portal.captive_api import gateway_setup, portal_origin
from captive_portal.models import SitePortal


class Command(BaseCommand):
    help = (
        "Print what to configure on each site's gateway (openNDS FAS options, UniFi external portal) and DHCP "
        "server (option 114, RFC 8910: the Captive Portal API URL), with warnings. Secrets are named, never shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", help="site slug (default: every enabled portal)")

    def handle(self, *args, site: str | None, **options):
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
            self.stdout.write(
                f"  DHCP option 114 (DHCPv6 103, RA): {setup.dhcp_option_114} ({setup.dhcp_option_114_bytes} bytes)"
            )
            if setup.dhcp_note:
                self.stdout.write(f"    ({setup.dhcp_note})")
            for warning in setup.warnings:
                self.stdout.write(self.style.WARNING(f"  ! {warning}"))
