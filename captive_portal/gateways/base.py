"""What every gateway protocol offers the portal, and the registry that loads them from PORTAL_GATEWAYS.

A gateway is named by dotted path in settings, as Django names its email and session backends:
`PORTAL_GATEWAYS = {"<kind>": "package.module.Class"}`. The kind is what a site's portal stores; the class reads
the gateway's redirect, lets the visitor through, validates its own options (the portal's `gateway_options`)
and says what ops set on the router. Adding a gateway is a class and a line in settings: nothing else changes.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.backends import BackendRegistry

if TYPE_CHECKING:
    from captive_portal.models import SitePortal

KIND_MAX_LENGTH = 20  # SitePortal.gateway_kind and ConnectionRecord.gateway_kind


class GatewayError(Exception):
    """A request the portal refuses (bad token, wrong hash, absurd parameters): shown as a clear page, counted.

    `reason` is a short code for the counters; the message is for logs, never shown raw to the visitor.
    """

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


@dataclass
class Arrival:
    """What the gateway told the portal when it redirected a visitor to it."""

    client_mac: str | None = None
    client_ip: str | None = None
    # Who saw client_ip: the gateway ("gateway": the device's own address), or only the portal ("portal":
    # the address the request came from, i.e. the site's NAT or a proxy).
    client_ip_source: str = "gateway"
    client_port: int | None = None
    ap_mac: str | None = None
    original_url: str = ""  # where the visitor wanted to go (only ever shown as a link, after checks)
    token: str = ""  # the gateway's identifier of this visit (openNDS hid, UniFi t…), to refuse replays
    state: dict[str, Any] = field(default_factory=dict)  # what `authorise()` needs later, carried signed
    # Set by the accept view, not carried in the form: the absolute URL of our connected page, for a gateway
    # that sends the browser back to us after letting it through (openNDS level 1's `redir`).
    return_url: str = ""


@dataclass
class Authorisation:
    """What to do after the visitor accepted: send the browser somewhere (openNDS level 1, click-through) or not."""

    browser_url: str | None = None
    # openNDS level 3: the queued authorisation authmon will fetch; the connected page waits for its ack.
    pending_id: int | None = None


@dataclass
class SetupInstructions:
    """What ops set on one site's gateway: settings (name → value, secrets named, never shown) and problems."""

    settings: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


RFC8910_OPTIONS = ("DHCPv4 option 114", "DHCPv6 option 103", "IPv6 RA option 37")


class SecretSetSelect(forms.Select):
    """The names of the configured PORTAL_GATEWAY_SECRETS sets, never their content, plus the current name."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        names = sorted(settings.PORTAL_GATEWAY_SECRETS)
        if value and value not in names:
            names.append(value)  # a set gone from the environment stays visible: the setup page says it is missing
        self.choices = [("", "—"), *((name, name) for name in names)]
        return super().get_context(name, value, attrs)


class SecretSetField(forms.CharField):
    """The `secret_name` option: names a set of PORTAL_GATEWAY_SECRETS. The database never holds the secret."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("label", capfirst(gettext_lazy("secret set")))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Name of this gateway's secrets (faskey, controller key) in the PORTAL_GATEWAY_SECRETS variable."
            ),
        )
        super().__init__(max_length=60, required=False, widget=SecretSetSelect, **kwargs)


class Gateway:
    """One gateway protocol. `arrival()` reads the gateway's redirect, `authorise()` lets the visitor through.

    A subclass sets `label` (translated, shown to ops), `options_form` (its options, validated by
    `clean_options()`: their values must be JSON values) and `signed_redirect`, and may say more in
    `setup_instructions()`, `dhcp_advice()` and `summary()`. An option named `secret_name` (a
    `SecretSetField`) names the portal's set of secrets.
    """

    label: ClassVar[str | Promise]
    options_form: ClassVar[type[forms.Form]] = forms.Form
    # Whether the redirect proves itself (openNDS signs or encrypts it). An unsigned one is only believed
    # from the site's own internet addresses (captive_portal.egress).
    signed_redirect: ClassVar[bool] = False

    def __init__(self, portal: "SitePortal"):
        self.portal = portal

    @property
    def options(self) -> dict[str, Any]:
        return self.portal.gateway_options or {}

    def arrival(self, request: HttpRequest) -> Arrival:
        raise NotImplementedError

    def authorise(self, *, arrival: Arrival, minutes: int) -> Authorisation:
        raise NotImplementedError

    @classmethod
    def clean_options(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        """The options as stored, or a ValidationError naming each bad option (keyed by option name)."""
        form = cls.options_form(data=dict(options))
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return {name: form.cleaned_data[name] for name in form.fields}

    @classmethod
    def uses_secrets(cls) -> bool:
        return "secret_name" in cls.options_form.base_fields

    def setup_instructions(self, *, origin: str) -> SetupInstructions:
        """What ops set on the gateway for this site (`origin`: the portal's public origin, may be "")."""
        return SetupInstructions()

    def summary(self) -> list[tuple[str, str]]:
        """The options worth showing on the back-office page of the portal, as (label, value)."""
        return []

    def dhcp_advice(self, url: str) -> list[tuple[str, str]]:
        """RFC 8910: where a device learns the API URL `url` (see captive_portal.captive_api for why)."""
        condition = _(
            "%(url)s (%(bytes)s bytes), only where the portal sees the guests' own addresses (no NAT between the "
            "guest network and the portal); behind a NAT leave it unset: the API could only ever say captive"
        ) % {"url": url, "bytes": len(url.encode())}
        return [(option, condition) for option in RFC8910_OPTIONS]


# --- The registry, read from settings.PORTAL_GATEWAYS -------------------------------------------------------


gateways = BackendRegistry("PORTAL_GATEWAYS", Gateway, max_kind_length=KIND_MAX_LENGTH)


def gateway_classes() -> dict[str, type[Gateway]]:
    """Kind → class, imported once. A path that does not import, or names no Gateway, is ImproperlyConfigured."""
    return gateways.classes()


def gateway_class(kind: str) -> type[Gateway]:
    try:
        return gateway_classes()[kind]
    except KeyError:
        raise GatewayError("unknown_gateway", f"no gateway configured for {kind!r}") from None


def kinds_of(cls: type[Gateway]) -> list[str]:
    """The configured kinds served by `cls` or a subclass (an entry point that only one protocol answers)."""
    return [kind for kind, configured in gateway_classes().items() if issubclass(configured, cls)]


def for_portal(portal: "SitePortal") -> Gateway:
    return gateway_class(portal.gateway_kind)(portal)


def check_gateways(**kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check`: every PORTAL_GATEWAYS entry loads, and no option hides a field of the portal."""
    try:
        classes = gateway_classes()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), hint="Fix settings.PORTAL_GATEWAYS.", id="captive_portal.E001")]
    from captive_portal.models import SitePortal

    columns = {model_field.name for model_field in SitePortal._meta.get_fields()}
    errors: list[checks.CheckMessage] = []
    for kind, cls in classes.items():
        if not isinstance(getattr(cls, "label", None), str | Promise):
            errors.append(checks.Error(f"PORTAL_GATEWAYS[{kind!r}]: {cls.__name__} has no label.",
                                       id="captive_portal.E002"))  # fmt: skip
        if clashes := sorted(columns & set(cls.options_form.base_fields)):
            errors.append(
                checks.Error(
                    f"PORTAL_GATEWAYS[{kind!r}]: options {', '.join(clashes)} of {cls.__name__} have the name of a "
                    "SitePortal field: the admin could not tell them apart.",
                    id="captive_portal.E003",
                )
            )
    return errors
