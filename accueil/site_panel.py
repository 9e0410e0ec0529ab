"""The reception line on each site card of the dashboard: "Accueil: 3 new, 5 unanswered", linking to the inbox.

Requests belong to an MDS (their site is optional), so each site card shows its MDS's figures. Registered from
AccueilConfig.ready() (`sites` never imports `accueil`).
"""

from django.db.models import Count, Q

from accueil.models import ContactRequest, RequestStatus
from accueil.models.requests import FINAL_STATUSES
from sites.selectors import SiteCardPanel, register_site_card_panel


def mds_request_counts(agent, sites) -> dict[int, dict[str, int]]:
    """{site id: {"mds": id, "new": n, "unanswered": n}} for the MDS of `sites`, in one aggregate query."""
    mds_ids = {site.mds_id for site in sites}
    rows = (
        ContactRequest.objects.visible_to(agent)
        .filter(mds_id__in=mds_ids)
        .exclude(status__in=FINAL_STATUSES)
        .order_by()
        .values("mds_id")
        .annotate(
            new=Count("pk", filter=Q(status=RequestStatus.NEW)),
            unanswered=Count("pk", filter=Q(first_answered_at__isnull=True)),
        )
    )
    by_mds = {row["mds_id"]: row for row in rows}
    return {
        site.pk: {"mds": site.mds_id, "new": by_mds[site.mds_id]["new"],
                  "unanswered": by_mds[site.mds_id]["unanswered"]}
        for site in sites if site.mds_id in by_mds
    }  # fmt: skip


PANEL = SiteCardPanel(
    template_name="accueil/backoffice/site_card_panel.html",
    load=mds_request_counts,
    permission="accueil.view_contactrequest",
    order=30,
)


def register() -> None:
    register_site_card_panel(PANEL)
