from units.access import scope_for


def scope(request):
    """The user's scope for the navigation (computed lazily, once per request)."""
    user = getattr(request, "user", None)
    return {"scope": (lambda: scope_for(user)) if user is not None else None}
