"""The contact form speaks the visitor's language: every string its pages show (templates, form, refusals and the
choices it offers) is in the public catalogues accueil/locale/<lang>/, and nothing else is
(tests/test_public_catalogues.py); French holds every string of the project (tests/platform/test_translations.py).
"""

from django.utils import translation


def test_django_finds_the_contact_catalogues():
    with translation.override("ar"):
        assert translation.gettext("Send my request") == "أرسل طلبي"
        assert translation.gettext("An appointment with a social worker") == "موعد مع مساعد(ة) اجتماعي(ة)"
    with translation.override("fr"):
        assert translation.gettext("Send my request") == "Envoyer ma demande"
