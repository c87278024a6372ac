"""The member record form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member
from units.access import scope_for
from units.forms import BootstrapFormMixin, DateInput, NormalizedFormMixin
from units.models import CELL_KINDS, Unit, Village


class MemberForm(NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "full_name",
            "birth_name",
            "sex",
            "birth_date",
            "ethnicity",
            "religion",
            "hometown",
            "unit",
            "residence_village",
            "citizen_id",
            "card_number",
            "admitted_on",
            "official_on",
            "status",
            "education",
            "theory_level",
            "occupation",
            "phone",
            "exempt_since",
            "left_on",
        ]
        widgets = {
            "birth_date": DateInput(),
            "admitted_on": DateInput(),
            "official_on": DateInput(),
            "exempt_since": DateInput(),
            "left_on": DateInput(),
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        cells = (
            Unit.objects.filter(scope.editable_q("path"), kind__in=CELL_KINDS)
            .active()
            .order_by("path")
        )
        self.fields["unit"].queryset = cells
        self.fields["unit"].label = _("party cell")
        if cells.count() == 1 and not self.instance.pk:
            self.fields["unit"].initial = cells.first()
        self.fields["residence_village"].queryset = (
            Village.objects.visible_to(user).select_related("commune").order_by("commune", "name")
        )
        self.fields["residence_village"].label_from_instance = lambda v: (
            f"{v.name} ({v.commune.display_name})"
        )


class ImportForm(BootstrapFormMixin, forms.Form):
    """The cell to import into (one the user may edit) and the .xlsx file."""

    unit = forms.ModelChoiceField(label=_("party cell"), queryset=Unit.objects.none())
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cells = (
            Unit.objects.filter(scope_for(user).editable_q("path"), kind__in=CELL_KINDS)
            .active()
            .order_by("path")
        )
        self.fields["unit"].queryset = cells
        if cells.count() == 1:
            self.fields["unit"].initial = cells.first()
