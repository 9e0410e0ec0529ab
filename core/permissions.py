"""The one way a back-office view decides who may open it: signed in, then the object, then the permission.

`ScopedPermissionRequiredMixin` is Django's `PermissionRequiredMixin` with the object looked up
first among those the agent may see (`Model.objects.visible_to(agent)`), so that an object of an
MDS the agent does not see is a 404, never a 403 that would tell it exists. The permission is then
checked on that object, `agent.has_perm(perm, obj)`, which the authentication backend scopes to
the object's MDS. Without `scoped_model` (a list page), the permission is checked without object:
held in at least one role.

core knows no model: it relies only on the `visible_to(agent)` QuerySet protocol and `has_perm`.
"""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


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

    scoped_model = None
    lookup_field = "pk"
    lookup_url_kwarg = None
    object_permission = True
    scoped_object = None

    def get_scoped_queryset(self):
        return self.scoped_model.objects.visible_to(self.request.user)

    def get_scoped_object(self):
        kwarg = self.lookup_url_kwarg or self.lookup_field
        return get_object_or_404(self.get_scoped_queryset(), **{self.lookup_field: self.kwargs[kwarg]})

    def get_permission_object(self):
        """What the permission is checked on: the looked-up object, or None (a permission held anywhere)."""
        return self.scoped_object if self.object_permission else None

    def has_permission(self):
        return self.request.user.has_perms(self.get_permission_required(), self.get_permission_object())

    def check_object_permission(self, obj) -> None:
        """The same permission on another object the page is about to act on (a site chosen in its form)."""
        if not self.request.user.has_perms(self.get_permission_required(), obj):
            raise PermissionDenied(self.get_permission_denied_message())

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()  # the sign-in page, before anything is looked up
        if self.scoped_model is not None:
            self.scoped_object = self.get_scoped_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        # Generic single-object views (UpdateView, DeleteView) reuse the object already looked up and checked.
        return self.scoped_object
