"""The mentions every public page (the captive portal, the contact form, the workshops) carries at its top: a
co-funder's emblem and statement, for instance.

Whether there is one, and what it says, is data of a higher app (funding knows the EU co-funds the WiFi): the
public frames, lower down, only write `{% public_mentions %}` (core.templatetags.public_mentions), and the higher
app registers a source in its AppConfig.ready(). A source is called each time a frame renders, so it must be
cheap (cached): the portal's splash is rendered once per content version, the other public pages at every request.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Mention:
    template: str  # rendered in the page's language, with `context`
    context: dict[str, Any] = field(default_factory=dict)


Source = Callable[[], Mention | None]

_sources: list[Source] = []


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def mentions() -> list[Mention]:
    """What the public pages show now, in the order the sources were registered."""
    return [mention for source in _sources if (mention := source()) is not None]
