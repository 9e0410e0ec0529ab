"""The one way a back-office view decides who may open it: signed in, then the object, then the permission.

`ScopedPermissionRequiredMixin` is Django's `PermissionRequiredMixin` with the object looked up
first among those the agent may see (`Model.objects.visible_to(agent)`), so that an object of an
MDS the agent does not see is a 404, never a 403 that would tell it exists. The permission is then
checked on that object, `agent.has_perm(perm, obj)`, which the authentication backend scopes to
the object's MDS. Without `scoped_model` (a list page), the permission is checked without object:
held in at least one role.

core knows no model: it relies only on the `visible_to(agent)` QuerySet protocol and `has_perm`.
"""

from typing import Any, Protocol

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404


class VisibleToManager(Protocol):
    """What `scoped_model.objects` offers: the rows the agent may see (sites.scoping for the usual one)."""

    def visible_to(self, agent: Any) -> QuerySet[Any]: ...


class ScopedPermissionRequiredMixin(PermissionRequiredMixin):
    """Signed in (else the sign-in page), the object among those visible (else 404), the permission (else 403).

    - `scoped_model`: the model of the URL's object, looked up in `scoped_model.objects.visible_to(agent)`
      (override `get_scoped_queryset()` to load more with it); the view reads it as `self.scoped_object`.
      It may be a parent of what the page makes (the site a zone is added to): the permission is
      checked on it all the same.
    - `lookup_field` / `lookup_url_kwarg`: how the URL names it ("pk" by default).
    - `permission_required`: Django's; override `get_permission_required()` when it depends on the method.
    - `object_permission = False` checks the permission without the object, for objects that belong to
      no single MDS (an agent may work in several).
    """

    scoped_model: type[Model] | None = None
    lookup_field = "pk"
    lookup_url_kwarg: str | None = None
    object_permission = True
    scoped_object: Model | None = None

    # Set by the View this mixin is combined with (as Django's View declares them).
    request: HttpRequest
    kwargs: Any

    def get_scoped_queryset(self) -> QuerySet[Any]:
        if self.scoped_model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} sets no scoped_model to look its object up in.")
        # Django's Model declares no `objects`, and a protocol cannot say "a model with such a manager" in a way
        # the models' generated managers satisfy: the manager is typed by what core relies on, `visible_to`.
        manager: VisibleToManager = self.scoped_model.objects  # type: ignore[attr-defined]
        return manager.visible_to(self.request.user)

    def get_scoped_object(self) -> Model:
        kwarg = self.lookup_url_kwarg or self.lookup_field
        found: Model = get_object_or_404(self.get_scoped_queryset(), **{self.lookup_field: self.kwargs[kwarg]})
        return found

    def get_permission_object(self) -> Model | None:
        """What the permission is checked on: the looked-up object, or None (a permission held anywhere)."""
        return self.scoped_object if self.object_permission else None

    def has_permission(self) -> bool:
        return self.request.user.has_perms(self.get_permission_required(), self.get_permission_object())

    def check_object_permission(self, obj: Model) -> None:
        """The same permission on another object the page is about to act on (a site chosen in its form)."""
        if not self.request.user.has_perms(self.get_permission_required(), obj):
            raise PermissionDenied(self.get_permission_denied_message())

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()  # the sign-in page, before anything is looked up
        if self.scoped_model is not None:
            self.scoped_object = self.get_scoped_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Model | None:
        # Generic single-object views (UpdateView, DeleteView) reuse the object already looked up and checked.
        return self.scoped_object
