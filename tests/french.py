"""What "English on a French screen" means, for tests/platform/test_french_everywhere.py.

`english_in(html)` returns the English words and phrases a French reader would see: the page's visible text
(and the title, aria-label, alt and placeholder attributes), without <code>, <pre>, <script>, <style>, form
values and anything marked `translate="no"` (serial numbers, MAC addresses, what the user typed).
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Month and day names and abbreviations, as English dates print them ("30 Nov", "Monday").
_MONTHS = "January February March April June July August September October November December"
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Tue Wed Thu Fri Sat Sun"  # not "Mon" (Mon compte)
_MONTH_ABBR = "Jan Feb Mar Apr May Jun Jul Aug Sep Sept Oct Nov Dec"
# Phrases that only English uses; case-sensitive, as whole words. "minutes" and "Date" are French too.
ENGLISH_PHRASES = [
    *_MONTHS.split(), *_DAYS.split(), *_MONTH_ABBR.split(),
    "refused", "timed out", "timeout", "Connection", "Nothing imported", "line ", "Line ", "imported",
    "AUDIT LOG", "Audit log", "TOTP devices", "TOTP device", "Static devices", "log entries", "Log entries",
    "No results", "Previous", "Next", "Page 1 of", "of", "Add ", "Change ", "Select ", "Save", "Delete", "Search",
    "Filter", "Show all", "ago", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year",
    "years", "yes", "no", "Yes", "No", "None", "True", "False", "Unknown", "unknown", "error", "Error", "the",
    "The", "and", "is", "not", "with", "from", "since", "until", "Since", "Until", "View", "History", "Home",
    "Welcome", "Log out", "selected", "Clear", "Today", "Now", "Yesterday", "Choose",
    "Password", "password", "Name", "Status", "access point", "incident open", "change:", "changes:",
]  # fmt: skip
_ALTERNATIVES = "|".join(re.escape(p.strip()) for p in sorted(ENGLISH_PHRASES, key=len, reverse=True))
_PATTERN = re.compile(rf"(?<![\w-])({_ALTERNATIVES})(?![\w-])")
_SKIPPED_TAGS = {"code", "pre", "script", "style", "textarea", "option", "kbd", "samp", "template", "svg"}
_SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []  # the open tags whose content is skipped

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        # The admin's own icons (a boolean's "True", the search button's "Search") keep Django's English alt.
        django_icon = tag == "img" and "/admin/img/" in (attributes.get("src") or "")
        if not self._skipping and not django_icon:
            self.parts.extend(f" {attributes[a]} " for a in _SHOWN_ATTRIBUTES if attributes.get(a))
        # aria-hidden: an icon ("✓", "!", "?") beside the words that say the same, not prose.
        skipped = tag in _SKIPPED_TAGS or attributes.get("translate") == "no" or attributes.get("aria-hidden") == "true"
        if tag not in _VOID and (skipped or self._skipping):
            self._skipping.append(tag)

    def handle_endtag(self, tag) -> None:
        if self._skipping and tag in self._skipping:
            while self._skipping and self._skipping.pop() != tag:
                pass
        self.parts.append(" ")

    def handle_data(self, data) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    # Only ordinary white space is folded: the no-break spaces are kept, for the typography check to see them.
    return re.sub(r"[ \t\n\r\f\v]+", " ", "".join(parser.parts)).strip()


@dataclass(frozen=True)
class Finding:
    where: str
    phrase: str
    context: str

    def __str__(self) -> str:
        return f"{self.where}: « {self.phrase} » in …{self.context}…"


def english_in(text: str, *, where: str, html: bool = True, allowed: tuple[str, ...] = ()) -> list[Finding]:
    """The English phrases of `text` (an HTML page, or a plain-text email with html=False), with context.

    `allowed`: the values the test itself typed (names, serials), which may contain anything."""
    shown = visible_text(text) if html else " ".join(text.split())
    for value in allowed:
        shown = shown.replace(value, "…")
    return [
        Finding(where, match.group(1), shown[max(0, match.start() - 50) : match.end() + 50])
        for match in _PATTERN.finditer(shown)
    ]


# French typography: a plain space (or none) before a high punctuation mark, or after « / before »; "http://",
# "10:30" and "%(name)s:" placeholders at the very start are not prose.
_BAD_TYPOGRAPHY = re.compile(
    r"(?: [:;!?»])|(?:« )|(?:[^\s\u00a0\u202f\d/:%(][;!?](?=\s|$))|(?:[^\s\u00a0\u202f\d/:%(]:(?=\s|$))"
)
# Code quoted in prose keeps its own punctuation: JSON settings, "verify_tls: false", "role:".
_CODE = re.compile(r"\{[^}]*\}|\b\w+: (?:true|false)\b|\brole:|\S*::\S*")  # and IPv6 addresses, "::1/128"


def typography_faults(text: str) -> list[str]:
    """The places of `text` (French prose) where a high punctuation mark or a guillemet lacks its no-break
    space (U+00A0 or the narrow U+202F), each with 25 characters of context either side."""
    text = _CODE.sub("…", text)
    return [text[max(0, m.start() - 25) : m.end() + 25] for m in _BAD_TYPOGRAPHY.finditer(text)]
