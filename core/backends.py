"""Classes named by dotted path in settings, as Django names its email and session backends.

One loader for every pluggable part: the WiFi probes (`WIFI_PROBES`), the portal's gateways (`PORTAL_GATEWAYS`)
and the SMS provider (`SMS_BACKEND`). Adding a driver is a class and a line in settings; a wrong line is an
`ImproperlyConfigured` that names the setting, the entry and what is wrong, raised by `manage.py check` before
the first request or round rather than in the middle of one.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string


def load_backend[T](path: object, base: type[T], *, where: str) -> type[T]:
    """The class at dotted `path`, which must subclass `base`; `where` names the setting entry in errors."""
    if not isinstance(path, str):
        raise ImproperlyConfigured(f"{where} must be a dotted path, not {path!r}.")
    try:
        loaded = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"{where} = {path!r} cannot be imported: {exc}") from exc
    if not (isinstance(loaded, type) and issubclass(loaded, base)):
        raise ImproperlyConfigured(f"{where} = {path!r} is not a subclass of {base.__module__}.{base.__qualname__}.")
    return loaded


class BackendRegistry[T]:
    """A setting `{kind: dotted path}`: each kind is what a model stores, so it must fit `max_kind_length`.

    Loaded once per process, in the order of the setting, and forgotten when the setting changes
    (`override_settings` in tests), so the next round or form reads the new classes.
    """

    def __init__(self, setting: str, base: type[T], *, max_kind_length: int):
        self.setting, self.base, self.max_kind_length = setting, base, max_kind_length
        self._classes: dict[str, type[T]] | None = None
        setting_changed.connect(self._forget, weak=False, dispatch_uid=f"core.backends:{setting}")

    def _forget(self, *, setting: str, **kwargs: Any) -> None:
        if setting == self.setting:
            self._classes = None

    def entries(self) -> Mapping[Any, Any]:
        configured = getattr(settings, self.setting)
        if not isinstance(configured, Mapping):
            raise ImproperlyConfigured(
                f"{self.setting} must be a dict: kind → dotted path of a {self.base.__qualname__} subclass."
            )
        return configured

    def kind_problem(self, kind: object) -> str | None:
        """Why `kind` cannot be stored, or None."""
        if isinstance(kind, str) and 0 < len(kind) <= self.max_kind_length:
            return None
        return (
            f"{self.setting}: the kind {kind!r} must be a non-empty string of at most {self.max_kind_length} "
            "characters (the database stores it)."
        )

    def load(self, kind: object, path: object) -> type[T]:
        return load_backend(path, self.base, where=f"{self.setting}[{kind!r}]")

    def classes(self) -> dict[str, type[T]]:
        """Kind → class. The first wrong entry is an ImproperlyConfigured naming it."""
        if self._classes is None:
            classes: dict[str, type[T]] = {}
            for kind, path in self.entries().items():
                if problem := self.kind_problem(kind):
                    raise ImproperlyConfigured(problem)
                classes[kind] = self.load(kind, path)
            self._classes = classes
        return self._classes

    def get(self, kind: str) -> type[T] | None:
        return self.classes().get(kind)
