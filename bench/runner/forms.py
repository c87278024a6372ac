"""Read an HTML form as a browser would submit it (lxml only: used by the locustfile too)."""

from lxml import html


def form_fields(page: str | bytes, *, form_index: int | None = None, contains: str = "") -> dict:
    """The fields a browser posts for a page's form: inputs with their values, checked radio
    buttons and check boxes, selected options, text areas.

    The form is the one whose `action`/inputs contain `contains` (default: the first form with a
    csrf token and more than one field).
    """
    document = html.fromstring(page)
    forms = document.forms
    if form_index is not None:
        form = forms[form_index]
    else:
        candidates = [
            f
            for f in forms
            if f.xpath(".//input[@name='csrfmiddlewaretoken']")
            and len(f.inputs) > 2
            and contains in html.tostring(f, encoding="unicode")
        ]
        if not candidates:
            raise ValueError("no form on the page")
        form = candidates[0]
    values = {}
    for name, value in form.form_values():
        if name in values:
            existing = values[name]
            values[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            values[name] = value
    return values


def csrf_token(page: str | bytes) -> str:
    document = html.fromstring(page)
    found = document.xpath("//input[@name='csrfmiddlewaretoken']/@value")
    if not found:
        raise ValueError("no csrf token on the page")
    return found[0]
