"""Dated phone-size screenshots of each site's captive portal, as evidence that the EU emblem is seen without
scrolling (`manage.py publicity_evidence`).

Headless Chromium (Debian's, through Playwright) opens each portal at 360×640 CSS pixels, device scale 2 (a
720×1280 picture), checks in the page that the emblem is whole on the first screen and at least as tall as every
other logo, and takes the screenshot. Nothing here touches the database: Playwright's sync API runs an event loop
in this thread, in which Django refuses ORM calls, so sites are read before and evidence is filed after.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]  # fmt: skip
TIMEOUT_MS = 20_000

# What a page holds of the emblem, on its first screen. "Other logos": any image of the page's header, or any
# image named a logo; the content's photos are not logos. (tests/browser reuses it: one definition of the check.)
EMBLEM_CHECK = """() => {
  const emblem = document.querySelector('[data-eu-emblem] img');
  if (!emblem) return {found: false};
  const box = emblem.getBoundingClientRect();
  const logos = [...document.querySelectorAll(
      'header img, header svg, img[class*=logo], img[src*=logo], svg[class*=logo], [data-logo]')]
    .filter(other => other !== emblem && !emblem.contains(other) && !other.closest('[data-eu-emblem]'));
  const tallest = Math.max(0, ...logos.map(other => other.getBoundingClientRect().height));
  return {found: true, top: box.top, left: box.left, bottom: box.bottom, right: box.right, height: box.height,
          width: box.width, screenWidth: window.innerWidth, screenHeight: window.innerHeight,
          tallestOtherLogo: tallest, complete: emblem.complete && emblem.naturalWidth > 0};
}"""


def emblem_problem(check: dict) -> str:
    """What is wrong with the emblem as the page showed it ("" when nothing is)."""
    if not check.get("found"):
        return "no EU emblem on the page"
    if not check.get("complete"):
        return "the EU emblem's image did not load"
    if check["height"] <= 0 or check["width"] <= 0:
        return "the EU emblem is not shown"
    if (
        check["top"] < 0
        or check["left"] < 0
        or check["bottom"] > check["screenHeight"]
        or (check["right"] > check["screenWidth"])
    ):
        return (
            f"the EU emblem is not whole on the first screen (from {check['top']:.0f} to {check['bottom']:.0f} px, "
            f"screen {check['screenWidth']}×{check['screenHeight']})"
        )
    if check["height"] < check["tallestOtherLogo"]:
        return (
            f"the EU emblem ({check['height']:.0f} px) is smaller than another logo "
            f"({check['tallestOtherLogo']:.0f} px)"
        )
    return ""


@dataclass(frozen=True)
class PortalShot:
    site_id: int
    url: str
    taken_at: datetime
    png: bytes | None  # None when the page could not be opened
    problem: str  # "" when the emblem is whole on the first screen and as tall as any other logo


def launch(playwright):
    return playwright.chromium.launch(executable_path=settings.FUNDING_PUBLICITY_CHROMIUM, args=CHROMIUM_ARGS)


def portal_shots(*, pages: Iterable[tuple[int, str]]) -> list[PortalShot]:
    """A screenshot of each (site id, absolute portal URL), with what is wrong with its emblem."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(locale="fr-FR", **PHONE)
            for site_id, url in pages:
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                try:
                    response = page.goto(url, wait_until="load")
                    taken_at = timezone.now()
                    if response is None or response.status != 200:
                        status = response.status if response is not None else "no answer"
                        shots.append(PortalShot(site_id, url, taken_at, None, f"the portal answered {status}"))
                        continue
                    problem = emblem_problem(page.evaluate(EMBLEM_CHECK))
                    shots.append(PortalShot(site_id, url, taken_at, page.screenshot(full_page=False), problem))
                except PlaywrightError as error:
                    message = str(error).splitlines()[0][:200]
                    shots.append(PortalShot(site_id, url, timezone.now(), None, f"the page did not open: {message}"))
                finally:
                    page.close()
            context.close()
        finally:
            browser.close()
    return shots
