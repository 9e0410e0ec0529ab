"""French typography in the French catalogue: a no-break space before « : ; ! ? » and inside « », so that a
line never starts with a colon and the quotes hug their words (U+00A0 or the narrow U+202F)."""

import html
import re

import polib
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from tests.french import typography_faults as _faults

FRENCH_PO = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_french_strings_put_a_no_break_space_before_high_punctuation_and_inside_guillemets():
    faults = [
        (entry.msgid[:60], fault)
        for entry in polib.pofile(str(FRENCH_PO)).translated_entries()
        for text in ([entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values()))
        for fault in _faults(text)
    ]
    assert faults == [], "\n".join(f"{msgid!r}: …{fault}…" for msgid, fault in faults[:40]) + f"\n({len(faults)})"


def test_the_checker_finds_a_plain_space_before_a_colon():
    assert _faults("Cause : inconnue") and _faults("« texte »") and _faults("Attention!")
    assert not _faults("Cause\u00a0: inconnue, à 10:30, https://exemple.fr, «\u00a0texte\u00a0»")


def test_short_dates_read_as_french_abbreviations():
    """ "30 nov. 22:00", the format of the board's short dates, never "30 Nov"."""
    moment = timezone.make_aware(timezone.datetime(2026, 11, 30, 22, 0))
    with translation.override("fr"):
        assert Template('{{ moment|date:"j N H:i" }}').render(Context({"moment": moment})) == "30 nov. 22:00"


# What a template may show that is not in the catalogue: code, the acronym, a CSS class in a block.
TEMPLATE_WORDS_ALLOWED = {"MDS", "auth-page", "SHA-256"}
# The EU emblem's own words (funding/public/eu_emblem.html) are French on every public page, whatever its language,
# like the emblem itself: kept out of the catalogues on purpose (the statement under it is translated).
TEMPLATE_WORDS_ALLOWED |= {"Union", "européenne", "Fonds", "européen", "développement", "régional"}
_TEMPLATE_NOT_SHOWN = [
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", r"{#.*?#}",
    r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}",  # through the catalogue, checked above
    r"<(script|style|code|kbd|pre|samp)\b.*?</\1>",
    r'<(\w+)[^>]*aria-hidden="true"[^>]*>.*?</\1>',  # icons ("✓", "!", "?"), not read
    r"<!--.*?-->", r"{%.*?%}", r"{{.*?}}", r"<[^>]*>",
]  # fmt: skip


def _template_prose(source: str) -> list[str]:
    """The words a template shows of its own, and its punctuation set without its no-break space: "{{ name }} :
    {{ count }}" shows "Français : 3" (a value stands for "x" there)."""
    for pattern in _TEMPLATE_NOT_SHOWN:
        source = re.sub(pattern, "x" if pattern == r"{{.*?}}" else " ", source, flags=re.S)
    source = html.unescape(source)  # "&nbsp;:" is a no-break space and a colon, "&rsaquo;" an arrow
    words = re.findall(r"[^\W\d_][\w’'-]{2,}", source)
    return [word for word in words if word not in TEMPLATE_WORDS_ALLOWED] + _faults(" ".join(source.split(" ")))


def test_templates_show_no_prose_of_their_own():
    """Every sentence a template shows goes through the catalogue (where the test above checks its typography and
    the French-language test its words): none is written into a template in French, or in English, directly."""
    roots = [settings.BASE_DIR / "templates", *settings.BASE_DIR.glob("*/templates")]
    found = {
        str(path.relative_to(settings.BASE_DIR)): words
        for root in roots
        for path in sorted(root.rglob("*"))
        if path.suffix in (".html", ".txt") and (words := _template_prose(path.read_text()))
    }
    assert found == {}, found


def test_the_template_check_finds_a_sentence_written_directly():
    assert _template_prose("<p>Aucune borne : ajoutez-en une.</p>")[:4] == ["Aucune", "borne", "ajoutez-en", "une"]
    assert _template_prose('<p>{% translate "No AP" %} <code>manage.py x</code> &rsaquo; {{ ap.label }}</p>') == []
    assert _template_prose("<li>{{ name }} : {{ count }}</li>") and not _template_prose("<li>{{ name }}&nbsp;: 3</li>")
