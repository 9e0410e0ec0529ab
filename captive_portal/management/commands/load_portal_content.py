from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

from captive_portal.content import ContentDataError, portal_content_load
from captive_portal.site_portals import portals_create_missing

DEFAULT_FILE = Path(settings.BASE_DIR) / "data" / "portal" / "default_content.json"


class Command(BaseCommand):
    help = (
        "Load the portal's defaults: the terms of use (version 1) and the every-site blocks (online public "
        "services, prevention) in every portal language, and a click-through portal marked “to configure” for "
        "each site that has none, so that every site shows a splash. Safe to run again: it creates what was "
        "never loaded and never rewrites nor brings back what agents edited or deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", type=Path, default=DEFAULT_FILE, help=f"JSON file (default: {DEFAULT_FILE})"
        )

    def handle(self, *args, file: Path, verbosity: int, **options):
        try:
            report = portal_content_load(path=file)
        except ContentDataError as exc:
            raise CommandError(str(exc)) from exc
        portals = portals_create_missing()
        if verbosity > 1:
            for line in report.created:
                self.stdout.write(f"  + {line}")
            for portal in portals:
                self.stdout.write(
                    "  + " + _("click-through portal for %(site)s (to configure)") % {"site": portal.site.slug}
                )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(file)s: %(created)s, %(unchanged)s.")
                % {
                    "file": file.name,
                    "created": npgettext("records", "%(n)d created", "%(n)d created", len(report.created))
                    % {"n": len(report.created)},
                    "unchanged": ngettext("%(n)d already there", "%(n)d already there", report.unchanged)
                    % {"n": report.unchanged},
                }
            )
        )
        if portals:
            self.stdout.write(
                self.style.WARNING(
                    ngettext(
                        "%(n)d site had no portal and got a click-through one, marked “to configure” until ops set "
                        "its gateway (Django admin, site portals).",
                        "%(n)d sites had no portal and got a click-through one, marked “to configure” until ops set "
                        "their gateway (Django admin, site portals).",
                        len(portals),
                    )
                    % {"n": len(portals)}
                )
            )
