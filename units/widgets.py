"""Form widgets written in Python, byte for byte as Django's templates write them: a template
per option or input costs about 0.1-0.3 ms, and a member list's filters or a meeting's
attendance (three buttons and a reason per member) render hundreds of them."""

from django import forms
from django.forms.widgets import Input
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

# Django's templates that are a bare <input>: those that only include input.html, and the
# options' (when their label does not wrap them).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("input", "checkbox", "color", "date", "datetime", "email", "file", "hidden"),
        *("number", "password", "search", "tel", "text", "time", "url"),
        *("radio_option", "input_option"),
    )
)


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python (flatatt orders the attributes otherwise)."""
    html = []
    for name, value in attrs.items():
        if value is not False:
            html.append(f" {conditional_escape(name)}")
            if value is not True:
                html.append(f'="{conditional_escape(str(value))}"')
    return "".join(html)


class PlainSelectMixin:
    """Django's <select> markup (django/forms/widgets/select.html), written without a template
    per option: the unit filter lists every unit in sight, 3,000 of them in a province, and the
    list's other filters are rendered on every page of it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [
            f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>'
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            html.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{attrs_html(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    html = [
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"'
    ]
    if widget["value"] is not None:
        html.append(f' value="{conditional_escape(str(widget["value"]))}"')
    html.append(attrs_html(widget["attrs"]))
    html.append(">")
    return "".join(html)


class PlainInputMixin:
    """An input widget (or a choice widget's options) rendered without templates."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        if template_name in INPUT_TEMPLATES and not widget.get("wrap_label"):
            return mark_safe(input_html(widget))  # noqa: S308 - every value is escaped
        return super()._render(template_name, context, renderer)


def _plain_class(cls: type) -> type:
    """`cls` rendered by this module, under the same name (a template may test a bound field's
    `widget_type`, made from the class's name)."""
    if cls not in _PLAIN_CLASSES:
        if cls is forms.Select:
            mixin = PlainSelectMixin
        elif issubclass(cls, forms.RadioSelect) or (
            issubclass(cls, Input) and cls.template_name in INPUT_TEMPLATES
        ):
            mixin = PlainInputMixin
        else:
            mixin = None
        _PLAIN_CLASSES[cls] = type(cls.__name__, (mixin, cls), {}) if mixin else cls
    return _PLAIN_CLASSES[cls]


_PLAIN_CLASSES: dict[type, type] = {}
PlainSelect = _plain_class(forms.Select)


def plain(widget):
    """`widget`, rendered without templates from now on where this module writes its markup (a
    plain select, any input, a radio list's options): the same widget under a subclass that
    only renders differently."""
    widget.__class__ = _plain_class(type(widget))
    return widget
