"""Forms for units and villages; labels come from the models, messages are translatable."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from units.models import ALLOWED_PARENT_KINDS, CELL_KINDS, Unit, Village
from units.vietnamese import normalize_multiline, normalize_text


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation errors on the form: on their field, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DateInput(forms.DateInput):
    """A dd/mm/yyyy text box: works on every phone and in every browser."""

    def __init__(self, attrs=None):
        base = {"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class NormalizedFormMixin:
    """NFC-normalise and trim every text a user types, before any validation sees it."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                multiline = isinstance(self.fields[name].widget, forms.Textarea)
                cleaned[name] = normalize_multiline(value) if multiline else normalize_text(value)
        return cleaned


class BootstrapFormMixin:
    """Bootstrap classes on every widget, so templates render fields in one loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class UnitForm(NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["kind", "category", "name", "short_name", "code", "founded_on", "dissolved_on"]
        widgets = {"founded_on": DateInput(), "dissolved_on": DateInput()}

    def __init__(self, *args, parent: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is not None:
            self.instance.parent = parent
        parent = self.instance.parent
        if parent is not None:
            allowed = [k for k, parents in ALLOWED_PARENT_KINDS.items() if parent.kind in parents]
            self.fields["kind"].choices = [
                (value, label) for value, label in self.fields["kind"].choices if value in allowed
            ]
        if self.instance.pk and self.instance.children.exists():
            # A unit with units under it cannot become a cell.
            self.fields["kind"].choices = [
                (v, label) for v, label in self.fields["kind"].choices if v not in CELL_KINDS
            ]


class VillageForm(NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Village
        fields = ["name", "kind", "cell"]

    def __init__(self, *args, commune: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.commune = commune
        self.fields["cell"].queryset = (
            Unit.objects.subtree(commune.path).active().filter(kind__in=CELL_KINDS).order_by("name")
        )
        self.fields["cell"].empty_label = _("(no cell covers this village)")
