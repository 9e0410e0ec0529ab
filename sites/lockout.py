"""What django-axes counts: one account whatever its spelling, and one account across every address.

Axes keys its counters by the username it is given. Agents sign in with their email in any case
(`AgentManager.get_by_natural_key` is case-insensitive), so the key must be the normalised address,
or `REC@…` would have a counter of its own and sign in while `rec@…` is locked.

Axes compares one count with one limit. Two limits are wanted: a few failures per account *and*
address (a colleague mistyping at the same MDS does not lock the others), and a higher number per
account from any address (credential stuffing spread over many addresses). The handler below
reports the account as being at the per-address limit once the account-wide one is reached, so
that both lock through the same code path and show the same page.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def normalised_username(request, credentials: dict | None = None) -> str | None:
    """The login as the account knows it: stripped and lower-case (AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field) if request is not None else None
    if not isinstance(value, str):
        return None
    return value.strip().lower() or None


def account_failures(username: str, request=None) -> int:
    """Failed sign-ins on one account from every address within the cool-off period."""
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a lock per account across addresses (AXES_ACCOUNT_FAILURE_LIMIT)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if username and account_failures(username, request) >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures
