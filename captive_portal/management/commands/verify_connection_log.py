from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from captive_portal import log_chain
from core.formats import grouped
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
                raise CommandError(_("No site has the slug “%(slug)s”.") % {"slug": site})
        slugs = dict(sites.values_list("pk", "slug"))
        site_ids = list(slugs)
        broken = 0
        for site_id in site_ids:
            chain, breaks = log_chain.chain_verify(site_id=site_id)
            self.stdout.write(
                _("%(site)s: %(records)s, head no. %(seq)s %(hash)s — %(status)s")
                % {
                    "site": slugs.get(site_id, site_id),
                    "records": ngettext("%(n)s record", "%(n)s records", chain.rows) % {"n": grouped(chain.rows)},
                    "seq": chain.head_seq,
                    "hash": chain.head_hash,
                    "status": ngettext("%(n)d BREAK", "%(n)d BREAKS", len(breaks)) % {"n": len(breaks)}
                    if breaks
                    else _("intact"),
                }
            )
            for found_break in breaks:
                self.stdout.write(f"  {_('BREAK')} {found_break}")
            broken += len(breaks)
        if broken:
            raise CommandError(
                ngettext(
                    "The connection log is broken in %(n)d place.",
                    "The connection log is broken in %(n)d places.",
                    broken,
                )
                % {"n": broken},
                returncode=1,
            )
        self.stdout.write(
            ngettext(
                "The connection log of the %(n)s site is intact.",
                "The connection log of the %(n)s sites is intact.",
                len(site_ids),
            )
            % {"n": grouped(len(site_ids))}
        )
