"""The third-party apps' English, in French: django-otp, django-auditlog and django-axes show model, field and
section names in the admin that they never mark for translation (or that no French catalogue of theirs
translates). `translate_third_party_apps()` passes them through gettext, so that our catalogue
(locale/fr/LC_MESSAGES/django.po, which LOCALE_PATHS puts before every app's) gives the French.
"""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils import translation
from django.utils.translation import gettext_lazy

APPS = ("otp_totp", "otp_static", "auditlog", "axes")


def _lazy(value: Any) -> Any:
    """`value` through gettext, unless it is already translated (a gettext_lazy the app's catalogue answers)."""
    if not value:
        return value
    with translation.override(None):
        english = str(value)
    with translation.override(settings.LANGUAGE_CODE):
        translated = str(value)
    return gettext_lazy(english) if english == translated else value


def _translated_fieldsets(get_fieldsets: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(request: Any, obj: Any = None) -> list[tuple[Any, Any]]:
        return [(_lazy(name), options) for name, options in get_fieldsets(request, obj)]

    return wrapper


_ACTIONS = {
    "add": gettext_lazy("Can add %(model)s"),
    "change": gettext_lazy("Can change %(model)s"),
    "delete": gettext_lazy("Can delete %(model)s"),
    "view": gettext_lazy("Can view %(model)s"),
}


def permission_label(permission: Any) -> str:
    """A permission's name in the active language. Django stores it in English when it migrates ("Can view access
    point"); the default four are rebuilt from the model's translated name, the others go through gettext."""
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in _ACTIONS and model is not None and model_name == model._meta.model_name:
        return str(_ACTIONS[action]) % {"model": model._meta.verbose_name}
    return translation.gettext(permission.name)


def _permission_str(permission: Any) -> str:
    return f"{permission.content_type} | {permission_label(permission)}"


def translate_third_party_apps() -> None:
    from django.contrib.auth.models import Permission

    Permission.__str__ = _permission_str  # type: ignore[method-assign]
    for label in APPS:
        config = apps.get_app_config(label)
        # Django titles an app without a verbose name from its label ("Otp_Totp").
        config.verbose_name = _lazy(config.verbose_name if config.verbose_name != label.title() else label)
        for model in config.get_models():
            opts = model._meta
            opts.verbose_name = _lazy(opts.verbose_name)
            opts.verbose_name_plural = _lazy(opts.verbose_name_plural)
            for field in opts.get_fields():
                if hasattr(field, "verbose_name"):
                    field.verbose_name = _lazy(field.verbose_name)
                    field.help_text = _lazy(field.help_text)  # type: ignore[union-attr]
            model_admin = admin.site._registry.get(model)
            if model_admin is not None:
                if label.startswith("otp_"):  # django-otp composes it in English: "Search by user's email"
                    model_admin.search_help_text = gettext_lazy(  # type: ignore[misc]
                        "Search by the agent's email address."
                    )
                model_admin.get_fieldsets = _translated_fieldsets(model_admin.get_fieldsets)  # type: ignore[method-assign]
