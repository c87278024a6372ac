from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's name the Vietnamese way: family and middle names, then the given name."""
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dictionaries keyed by something a template cannot spell."""
    return mapping.get(key)
