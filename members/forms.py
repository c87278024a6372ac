"""The member record form, the membership event forms and the import form."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from members.choices import TransferScope, status_from_record
from members.models import Member
from members.sensitive import drop_sensitive_fields
from members.services import TEMPORARY_REASONS
from units.access import scope_for
from units.concurrency import EditTokenMixin
from units.forms import BootstrapFormMixin, DateInput, NormalizedFormMixin
from units.models import CELL_KINDS, Unit, Village

# The record in the groups of the member sheet (phiếu đảng viên); a group shows the fields of
# the form that are in it, so the create and edit forms share it.
FIELDSETS = [
    (
        _("Identity"),
        [
            "full_name",
            "birth_name",
            "sex",
            "birth_date",
            "birth_place",
            "ethnicity",
            "religion",
            "citizen_id",
            "phone",
        ],
    ),
    (
        _("Residence"),
        ["hometown", "permanent_address", "temporary_address", "residence_village"],
    ),
    (
        _("Education and work"),
        [
            "education",
            "qualification",
            "theory_level",
            "foreign_language",
            "occupation_before",
            "occupation",
            "youth_union",
            "service_background",
        ],
    ),
    (
        _("Party membership"),
        [
            "unit",
            "card_number",
            "cv_number",
            "badge_number",
            "admitted_on",
            "ceremony_on",
            "official_on",
        ],
    ),
    (_("Notes"), ["notes"]),
]
RECORD_FIELDS = [name for _legend, names in FIELDSETS for name in names]
# Status, cell and the dates of events change through the membership events, not the record.
EDIT_EXCLUDED = ("unit", "official_on")


def editable_cells(user):
    """The open cells the user may edit, in tree order: where a member or candidate may be
    recorded, or moved to."""
    return (
        Unit.objects.filter(scope_for(user).editable_q("path"), kind__in=CELL_KINDS)
        .active()
        .order_by("path")
    )


def offer_cells(field, user) -> None:
    """A cell field's choices: the cells the user may edit; the only one, chosen already."""
    cells = editable_cells(user)
    field.queryset = cells
    first = list(cells[:2])  # two at most: enough to tell whether there is only one
    if len(first) == 1:
        field.initial = first[0]


def offer_villages(field, user) -> None:
    """A village field's choices: the villages the user may see, named with their commune."""
    field.queryset = (
        Village.objects.visible_to(user).select_related("commune").order_by("commune", "name")
    )
    field.label_from_instance = lambda v: f"{v.name} ({v.commune.display_name})"


class MemberForm(EditTokenMixin, NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """The full record. A new member is probationary, or full when the date full membership
    began is given; an existing member's cell, status and leaving go through the events."""

    class Meta:
        model = Member
        fields = RECORD_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "admitted_on": DateInput(),
            "ceremony_on": DateInput(),
            "official_on": DateInput(),
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in EDIT_EXCLUDED:
                del self.fields[name]
        else:
            offer_cells(self.fields["unit"], user)
        offer_villages(self.fields["residence_village"], user)
        drop_sensitive_fields(self, user)

    def fieldsets(self):
        """[(legend, [bound fields])] of the groups that have fields on this form."""
        groups = []
        for legend, names in FIELDSETS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                groups.append((legend, fields))
        return groups

    def _update_errors(self, errors):
        """The record's rules may name a field this form leaves out (the status, the date full
        membership began): show those above the form."""
        if hasattr(errors, "error_dict"):
            kept = {}
            for name, messages in errors.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                kept.setdefault(key, []).extend(messages)
            errors = ValidationError(kept)
        super()._update_errors(errors)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            self.instance.status = status_from_record(cleaned.get("official_on"))
        return cleaned

    def record(self) -> dict:
        """The fields for members.services, the new member's status included."""
        fields = dict(self.cleaned_data)
        if not self.instance.pk:
            fields["status"] = self.instance.status
        return fields


# --- Membership events -------------------------------------------------------------------------


class EventForm(NormalizedFormMixin, BootstrapFormMixin, forms.Form):
    """What every event carries: its date, decision number and a note."""

    on = forms.DateField(label=_("date"), widget=DateInput())
    decision_number = forms.CharField(label=_("decision number"), max_length=50, required=False)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, member: Member, user, **kwargs):
        self.member, self.user = member, user
        super().__init__(*args, **kwargs)
        # The date first, then what the event is about, the decision last.
        last = ("decision_number", "note")
        middle = [name for name in self.fields if name != "on" and name not in last]
        self.order_fields(["on", *middle, *last])

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "member": self.member,
            "on": data["on"],
            "decision_number": data["decision_number"],
            "note": data["note"],
        }

    def editable_cells(self):
        return editable_cells(self.user)


class TransferForm(EventForm):
    to_unit = forms.ModelChoiceField(label=_("to cell"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = self.editable_cells().exclude(pk=self.member.unit_id)
        self.fields["to_unit"].label_from_instance = lambda u: u.display_name

    def arguments(self):
        return {**super().arguments(), "to_unit": self.cleaned_data["to_unit"]}


class TransferOutForm(EventForm):
    scope = forms.ChoiceField(label=_("transfer to"), choices=TransferScope.choices)
    place = forms.CharField(
        label=_("party organisation it goes to"),
        max_length=300,
        help_text=_("For example: Đảng bộ xã Mường Mươn, huyện Mường Chà, tỉnh Điện Biên"),
    )

    def arguments(self):
        data = self.cleaned_data
        return {**super().arguments(), "scope": data["scope"], "place": data["place"]}


class TemporaryOutForm(EventForm):
    reason = forms.ChoiceField(
        label=_("reason"), choices=[(k, str(v).capitalize()) for k, v in TEMPORARY_REASONS.items()]
    )
    until = forms.DateField(
        label=_("until"),
        widget=DateInput(),
        help_text=_(
            "3 months to under a year for work or residence, up to 2 years for study "
            "(HD 12-HD/BTCTW)."
        ),
    )
    place = forms.CharField(label=_("party organisation where the member meets"), max_length=300)

    def arguments(self):
        data = self.cleaned_data
        return {
            **super().arguments(),
            "reason": data["reason"],
            "until": data["until"],
            "place": data["place"],
        }


class ExitForm(EventForm):
    def __init__(self, *args, kind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def arguments(self):
        return {**super().arguments(), "kind": self.kind}


class ReinstateForm(EventForm):
    unit = forms.ModelChoiceField(label=_("party cell"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cells = self.editable_cells()
        self.fields["unit"].queryset = cells
        self.fields["unit"].label_from_instance = lambda u: u.display_name
        if any(c.pk == self.member.unit_id for c in cells):
            self.fields["unit"].initial = self.member.unit_id

    def arguments(self):
        return {**super().arguments(), "unit": self.cleaned_data["unit"]}


class TransferInForm(MemberForm):
    """A member who comes from a party organisation outside: the record and the transfer."""

    on = forms.DateField(label=_("on the rolls here from"), widget=DateInput())
    scope = forms.ChoiceField(label=_("transferred from"), choices=TransferScope.choices)
    place = forms.CharField(label=_("party organisation it comes from"), max_length=300)
    decision_number = forms.CharField(label=_("decision number"), max_length=50, required=False)

    TRANSFER_FIELDS = ("on", "scope", "place", "decision_number")

    def fieldsets(self):
        return [
            (_("Transfer"), [self[name] for name in self.TRANSFER_FIELDS]),
            *super().fieldsets(),
        ]

    def transfer(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.TRANSFER_FIELDS}

    def record(self) -> dict:
        fields = super().record()
        for name in self.TRANSFER_FIELDS:
            fields.pop(name)
        return fields


class ImportForm(BootstrapFormMixin, forms.Form):
    """The cell to import into (one the user may edit) and the .xlsx file."""

    unit = forms.ModelChoiceField(label=_("party cell"), queryset=Unit.objects.none())
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_cells(self.fields["unit"], user)


class RegisterPeriodForm(forms.Form):
    """The period of a member register (dd/mm/yyyy; all time when empty)."""

    start = forms.DateField(label=_("from"), required=False, widget=DateInput())
    end = forms.DateField(label=_("to"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise ValidationError(_("The end of the period comes after its start."))
        return cleaned
