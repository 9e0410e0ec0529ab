from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from captive_portal.models import SitePortal
from funding.models import Operation, PublicityRequirement
from funding.publicity import evidence_screenshot_file
from funding.publicity_capture import portal_shots

REQUIREMENT = "portal-emblem"


class Command(BaseCommand):
    help = (
        "Take a dated phone-size screenshot (360×640, scale 2) of every site's captive portal with headless Chromium, "
        "check that the EU emblem is whole on the first screen, and file each good one as evidence of the "
        f"'{REQUIREMENT}' publicity obligation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", help="only this site (its slug)")
        parser.add_argument(
            "--base-url",
            default=settings.FUNDING_PUBLICITY_BASE_URL,
            help="the platform as the public reaches it (default: FUNDING_PUBLICITY_BASE_URL, %(default)s)",
        )

    def handle(self, *args, site: str | None, base_url: str, **options):
        operation = Operation.objects.order_by("pk").first()
        if operation is None:
            raise CommandError("No FEDER operation is loaded (manage.py load_feder_operation).")
        requirement = PublicityRequirement.objects.filter(operation=operation, code=REQUIREMENT).first()
        if requirement is None:
            raise CommandError(f"The operation has no '{REQUIREMENT}' publicity obligation.")
        portals = (
            SitePortal.objects.filter(enabled=True)
            .select_related("site__mds")
            .order_by("site__mds__number", "site__number")
        )
        if site:
            portals = portals.filter(site__slug=site)
        sites = {portal.site_id: portal.site for portal in portals}
        if not sites:
            raise CommandError(f"No site with a portal{f' named {site}' if site else ''}.")
        base = base_url.rstrip("/")
        # The splash as a visitor first sees it, in French; a gateway's parameters would only add the button.
        pages = [
            (pk, f"{base}{reverse('captive_portal:splash', kwargs={'slug': s.slug})}?lang=fr")
            for pk, s in sites.items()
        ]
        try:
            shots = portal_shots(pages=pages)
        except ImportError as exc:
            raise CommandError("Playwright is missing: pip install playwright (never `playwright install`).") from exc
        except Exception as exc:  # Playwright's own error: no Chromium where FUNDING_PUBLICITY_CHROMIUM says
            raise CommandError(f"Chromium did not start: {str(exc).splitlines()[0]}") from exc
        problems = 0
        for shot in shots:
            where = sites[shot.site_id]
            if shot.problem or shot.png is None:
                problems += 1
                self.stdout.write(self.style.ERROR(f"{where.slug}: problem — {shot.problem} ({shot.url})"))
                continue
            evidence = evidence_screenshot_file(
                requirement=requirement, site=where, png=shot.png, taken_at=shot.taken_at,
                note="Emblème de l'Union entier sur le premier écran d'un téléphone (360×640)",
            )  # fmt: skip
            self.stdout.write(f"{where.slug}: OK — filed as evidence {evidence.pk} ({evidence.document.original_name})")
        summary = f"{len(pages) - problems} screenshot(s) filed, {problems} problem(s)."
        self.stdout.write(self.style.ERROR(summary) if problems else self.style.SUCCESS(summary))
