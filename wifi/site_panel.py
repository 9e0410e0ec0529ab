"""The WiFi line on each site card of the dashboard: "WiFi: 3 up, 1 down", linking to the board.

Registered from WifiConfig.ready() (`sites` never imports `wifi`: the arrow points down).
"""

from sites.selectors import SiteCardPanel, register_site_card_panel
from wifi.reports import site_health_counts

PANEL = SiteCardPanel(
    template_name="wifi/includes/site_card_panel.html",
    load=site_health_counts,  # one aggregate query for every site on the page
    permission="wifi.view_accesspoint",
    order=10,
)


def register() -> None:
    register_site_card_panel(PANEL)
