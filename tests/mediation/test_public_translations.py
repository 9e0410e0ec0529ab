"""The workshops' public pages speak the visitor's language: their strings are in mediation/locale/<lang>/, complete
and nothing else (tests/test_public_catalogues.py), and Django finds them; French holds them all
(tests/platform/test_translations.py)."""

from django.utils import translation


def test_django_finds_the_workshops_catalogues():
    with translation.override("ar"):
        assert translation.gettext("Join the waiting list") == "التسجيل في قائمة الانتظار"
        seats = translation.ngettext("%(seats)s seat left", "%(seats)s seats left", 3) % {"seats": 3}
        assert seats == "3 مقاعد متبقية"
    with translation.override("fr"):
        assert translation.gettext("Join the waiting list") == "M’inscrire sur la liste d’attente"
