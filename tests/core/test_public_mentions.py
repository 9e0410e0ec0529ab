"""The public frames' hook (core.public_mentions): a higher app's source is registered once, a source with nothing to
say adds nothing, and the tag renders each mention's template in the page's language."""

from django.template import Context, Template
from django.utils import translation

from core import public_mentions
from core.public_mentions import Mention


def test_a_source_registered_twice_speaks_once_and_a_silent_one_adds_nothing(monkeypatch):
    monkeypatch.setattr(public_mentions, "_sources", [])
    speaking = lambda: Mention(template="funding/public/eu_emblem.html")  # noqa: E731
    public_mentions.register(speaking)
    public_mentions.register(speaking)
    public_mentions.register(lambda: None)
    assert public_mentions.mentions() == [Mention(template="funding/public/eu_emblem.html")]


def test_the_tag_renders_each_mention_in_the_active_language(monkeypatch):
    monkeypatch.setattr(public_mentions, "_sources", [lambda: Mention(template="funding/public/eu_emblem.html")])
    with translation.override("es"):
        html = Template("{% load public_mentions %}<header>{% public_mentions %}</header>").render(Context())
    assert '<header><div class="eu" data-eu-emblem>' in html.replace("\n", "")
    assert "cofinanciado por la Unión Europea — Fondo Europeo de Desarrollo Regional (FEDER)" in html


def test_no_source_renders_nothing(monkeypatch):
    monkeypatch.setattr(public_mentions, "_sources", [])
    assert Template("{% load public_mentions %}[{% public_mentions %}]").render(Context()) == "[]"
