from sites import navigation


def backoffice(request):
    """The back-office menu, for signed-in agents only (public pages pay nothing for it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path_info.startswith("/backoffice/"):
        return {}
    return {"backoffice_nav": navigation.entries_for(user, request.path_info)}
