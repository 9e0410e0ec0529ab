from django.core.management.base import BaseCommand, CommandError

from captive_portal import log_chain
from sites.models import Site


class Command(BaseCommand):
    help = (
        "Check the hash chain of the legal connection log, site by site: report every record edited, deleted "
        "(other than by the one-year purge) or whose end time was changed, and print each site's head "
        "(position and hash) to keep elsewhere. Exits with status 1 when anything is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", help="only this site (its slug)")

    def handle(self, *args, site: str | None = None, **options):
        # Every site, from the sites table, not from the log: a site whose whole log was deleted still shows,
        # with 0 records, to compare with the heads kept elsewhere.
        sites = Site.objects.order_by("mds__number", "number")
        if site:
            sites = sites.filter(slug=site)
            if not sites.exists():
                raise CommandError(f"No site with the slug {site!r}.")
        slugs = dict(sites.values_list("pk", "slug"))
        site_ids = list(slugs)
        broken = 0
        for site_id in site_ids:
            chain, breaks = log_chain.chain_verify(site_id=site_id)
            status = "OK" if not breaks else f"{len(breaks)} BREAK(S)"
            name = slugs.get(site_id, site_id)
            self.stdout.write(f"{name}: {chain.rows} records, head #{chain.head_seq} {chain.head_hash} — {status}")
            for found_break in breaks:
                self.stdout.write(f"  BREAK {found_break}")
            broken += len(breaks)
        if broken:
            raise CommandError(f"The connection log is broken in {broken} place(s).", returncode=1)
        self.stdout.write(f"The connection log of {len(site_ids)} site(s) is intact.")
