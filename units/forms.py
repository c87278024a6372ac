"""Forms for units and villages; labels come from the models, messages are translatable."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from units.concurrency import EditTokenMixin
from units.models import (
    ALLOWED_PARENT_KINDS,
    CELL_KINDS,
    OfficerRole,
    Term,
    Unit,
    UnitCategory,
    UnitKind,
    Village,
)
from units.vietnamese import normalize_multiline, normalize_text
from units.widgets import plain


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
    """Bootstrap classes on every widget, so templates render fields in one loop; widgets
    rendered without a template each (units.widgets, the same markup)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            plain(widget)


def compact_filter_form(filterset, *, units, empty_label) -> None:
    """A list page's filter form: small Bootstrap inputs, and its `unit` choice limited to
    `units` (None: as the filter set declared it), indented by depth."""
    if units is not None:
        filterset.filters["unit"].queryset = units
    for field in filterset.form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = f"{css} form-control-sm"
    field = filterset.form.fields["unit"]
    field.empty_label = empty_label
    field.label_from_instance = lambda u: _indented(u.depth, u.display_name)
    field.widget.choices = UnitChoices(field.queryset, empty_label)


def _indented(depth: int, name: str) -> str:
    return "\u2003" * max(depth - 1, 0) + name


class UnitChoices(BaseChoiceIterator):
    """A unit filter's options as the field gives them (its empty choice, then each unit by
    its indented name), read with one values query when first needed: a province lists 3,000
    units, and a model instance per unit was most of a member search's time."""

    def __init__(self, units, empty_label):
        self.units, self.empty_label, self.choices = units, empty_label, None

    def __iter__(self):
        if self.choices is None:
            rows = self.units.values_list("pk", "depth", "short_name", "name")
            self.choices = [("", self.empty_label)] + [
                (pk, _indented(depth, short_name or name)) for pk, depth, short_name, name in rows
            ]
        return iter(self.choices)


class UnitForm(EditTokenMixin, NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        # Not the parent nor the end date: a unit moves, merges or is dissolved only through
        # a dated reorganisation, which records its event and carries members and villages.
        fields = ["kind", "category", "name", "short_name", "code", "founded_on"]
        widgets = {"founded_on": DateInput()}

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


class VillageForm(EditTokenMixin, NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    effective_on = forms.DateField(
        label=_("the covering cell changes on"),
        required=False,
        widget=DateInput(),
        help_text=_("Today when empty; figures as of earlier dates keep the former cell."),
    )

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
        if not self.instance.pk:
            del self.fields["effective_on"]


class AsOfForm(forms.Form):
    """The "as of" date of the tree and unit pages (today when empty)."""

    # Written in Python (units.widgets): the form is on every dashboard, board and tree page.
    as_of = forms.DateField(label=_("figures as of"), required=False, widget=plain(DateInput()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].widget.attrs["class"] = "form-control form-control-sm"

    @property
    def day(self):
        return self.cleaned_data.get("as_of") if self.is_valid() else None


class ReorgForm(NormalizedFormMixin, BootstrapFormMixin, forms.Form):
    """The decision every reorganisation carries: its date, number and a note."""

    effective_on = forms.DateField(label=_("effective on"), widget=DateInput())
    decision_number = forms.CharField(label=_("decision number"), max_length=60)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, unit: Unit, user, **kwargs):
        self.unit, self.user = unit, user
        super().__init__(*args, **kwargs)
        self.put_last()

    def put_last(self, *names) -> None:
        """These fields, then the decision's, after what the change is about."""
        for name in (*names, "effective_on", "decision_number", "note"):
            self.fields[name] = self.fields.pop(name)

    def decision(self) -> dict:
        return {
            "on": self.cleaned_data["effective_on"],
            "decision_number": self.cleaned_data["decision_number"],
            "note": self.cleaned_data["note"],
        }

    def editable_units(self):
        from units.access import scope_for

        return Unit.objects.filter(scope_for(self.user).editable_q("path")).active()


class FoundForm(ReorgForm):
    kind = forms.ChoiceField(label=_("kind"), choices=())
    category = forms.ChoiceField(label=_("category"), choices=UnitCategory.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    short_name = forms.CharField(label=_("short name"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k.value, k.label) for k, parents in ALLOWED_PARENT_KINDS.items()
            if self.unit.kind in parents
        ]  # fmt: skip

    def arguments(self):
        data = self.cleaned_data
        fields = {k: data[k] for k in ("kind", "category", "name", "short_name")}
        return {"parent": self.unit, **fields, **self.decision()}


class RenameForm(ReorgForm):
    name = forms.CharField(label=_("new name"), max_length=200)
    short_name = forms.CharField(label=_("short name"), max_length=100, required=False)

    def arguments(self):
        data = self.cleaned_data
        return {
            "unit": self.unit,
            "name": data["name"],
            "short_name": data["short_name"],
            **self.decision(),
        }


class MoveForm(ReorgForm):
    new_parent = forms.ModelChoiceField(label=_("move under"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_PARENT_KINDS.get(self.unit.kind, ())
        self.fields["new_parent"].queryset = (
            self.editable_units()
            .filter(kind__in=allowed)
            .exclude(path__startswith=self.unit.path)
            .exclude(pk=self.unit.parent_id)
            .order_by("path")
        )

    def arguments(self):
        return {"unit": self.unit, "new_parent": self.cleaned_data["new_parent"], **self.decision()}


class MergeForm(ReorgForm):
    into = forms.ModelChoiceField(label=_("merge into"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only units of one kind merge: a cell into a cell, a commune into a commune.
        self.fields["into"].queryset = (
            self.editable_units()
            .filter(kind=self.unit.kind)
            .exclude(path__startswith=self.unit.path)
            .exclude(pk__in=self.unit.ancestor_ids)
            .order_by("path")
        )

    def arguments(self):
        return {"absorbed": [self.unit], "into": self.cleaned_data["into"], **self.decision()}


class SplitForm(ReorgForm):
    """Per village the name of its new cell (empty: it stays); per member the village whose
    cell the member goes with (by default the village the member lives in).

    The first village stays with the cell by default; villages given the same name share one
    new cell. A split that gives every village a new cell dissolves the old cell, when asked.
    """

    dissolve_old = forms.BooleanField(
        label=_("dissolve this cell: every village gets a new cell"), required=False
    )
    officers_follow = forms.BooleanField(
        label=_("officers who go to a new cell keep their office there"), required=False
    )
    kept_name = forms.CharField(
        label=_("new name of this cell"),
        max_length=200,
        required=False,
        help_text=_("For the villages it keeps; leave empty to keep its name."),
    )

    def __init__(self, *args, **kwargs):
        from members.models import Member

        super().__init__(*args, **kwargs)
        self.villages = list(Village.objects.filter(cell=self.unit).order_by("name", "pk"))
        for i, village in enumerate(self.villages):
            self.fields[f"village_{village.pk}"] = forms.CharField(
                label=village.name,
                required=False,
                # "Bản Mển" → "Chi bộ bản Mển": the village word is common, not a name.
                initial=""
                if i == 0
                else _("Party cell of %(village)s")
                % {"village": village.name[:1].lower() + village.name[1:]},
                help_text=_("Name of its new cell; leave empty to keep it in this cell."),
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        own = {v.pk for v in self.villages}
        choices = [("stay", _("stays in %(cell)s") % {"cell": self.unit.name})] + [
            (f"v{v.pk}", _("goes with %(village)s") % {"village": v.name}) for v in self.villages
        ]
        self.members = list(
            Member.objects.active()
            .filter(unit=self.unit)
            .select_related("residence_village")
            .order_by("sort_key", "pk")
        )
        for member in self.members:
            home = member.residence_village_id
            member.split_default = f"v{home}" if home in own else "stay"
            self.fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=member.full_name,
                choices=choices,
                required=False,
                initial=member.split_default,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        self.put_last("kept_name", "dissolve_old", "officers_follow")

    def arguments(self):
        from units.reorganisation import SplitPart

        data = self.cleaned_data
        parts = {}  # new cell name → part, in the villages' order
        part_of = {}  # village pk → its part (none: it stays)
        for village in self.villages:
            name = data.get(f"village_{village.pk}")
            if name:
                part = parts.setdefault(name, SplitPart(name=name, villages=[], members=[]))
                part.villages.append(village)
                part_of[village.pk] = part
        for member in self.members:
            choice = data.get(f"member_{member.pk}") or member.split_default
            part = part_of.get(int(choice[1:])) if choice.startswith("v") else None
            if part is not None:
                part.members.append(member)
        return {
            "cell": self.unit,
            "parts": list(parts.values()),
            "dissolve_old": data["dissolve_old"],
            "officers_follow": data["officers_follow"],
            "kept_name": data["kept_name"],
            **self.decision(),
        }


class DissolveForm(ReorgForm):
    members_to = forms.ModelChoiceField(
        label=_("its members go to"), queryset=Unit.objects.none(), required=False
    )
    units_to = forms.ModelChoiceField(
        label=_("its units and villages go under"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = self.editable_units().exclude(path__startswith=self.unit.path).order_by("path")
        self.fields["members_to"].queryset = others.filter(kind__in=CELL_KINDS)
        self.fields["units_to"].queryset = others.exclude(kind__in=CELL_KINDS)

    def arguments(self):
        data = self.cleaned_data
        return {
            "unit": self.unit,
            "members_to": data["members_to"],
            "units_to": data["units_to"],
            **self.decision(),
        }


class ReformForm(ReorgForm):
    """The 2025 reform of a district: optionally groups of its communes merged on the same day
    (each with the commune kept and its new name), and its staff's roles moved to the province."""

    move_assignments = forms.BooleanField(
        label=_("give the district's staff the same roles over the province"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        communes = self.unit.children.filter(
            kind=UnitKind.COMMUNE, dissolved_on__isnull=True
        ).order_by("name")
        self.groups = min(communes.count() // 2, MERGE_GROUPS)
        for i in range(1, self.groups + 1):
            self.fields[f"group_{i}_into"] = forms.ModelChoiceField(
                label=_("merger %(n)d: the commune kept") % {"n": i},
                queryset=communes,
                required=False,
            )
            self.fields[f"group_{i}_absorbed"] = forms.ModelMultipleChoiceField(
                label=_("merger %(n)d: the communes merged into it") % {"n": i},
                queryset=communes,
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 4}),
            )
            self.fields[f"group_{i}_name"] = forms.CharField(
                label=_("merger %(n)d: name of the merged commune") % {"n": i},
                max_length=200,
                required=False,
                help_text=_("Leave empty to keep the name of the commune kept."),
            )
        self.put_last("move_assignments")

    def clean(self):
        cleaned = super().clean()
        used = set()
        self.merges = []
        for i in range(1, self.groups + 1):
            into = cleaned.get(f"group_{i}_into")
            absorbed = list(cleaned.get(f"group_{i}_absorbed") or [])
            name = cleaned.get(f"group_{i}_name") or ""
            if not into and not absorbed and not name:
                continue
            if not into or not absorbed:
                self.add_error(
                    f"group_{i}_into", _("Choose the commune kept and the communes merged into it.")
                )
                continue
            communes = {into.pk, *(c.pk for c in absorbed)}
            if into in absorbed or communes & used:
                self.add_error(
                    f"group_{i}_absorbed", _("Each commune takes part in one merger only.")
                )
                continue
            used |= communes
            self.merges.append((absorbed, into, name))
        return cleaned

    def arguments(self):
        return {
            "district": self.unit,
            "merges": self.merges,
            "move_assignments": self.cleaned_data["move_assignments"],
            **self.decision(),
        }


# Mergers the reform form offers at most (Điện Biên, 2025: 129 communes into 45).
MERGE_GROUPS = 12


class OfficerEndForm(forms.Form):
    """The day an office ends (today when empty)."""

    ends_on = forms.DateField(label=_("until"), required=False, widget=DateInput())


class OfficerForm(NormalizedFormMixin, BootstrapFormMixin, forms.Form):
    member = forms.ModelChoiceField(label=_("party member"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("office"), choices=OfficerRole.choices)
    term = forms.ModelChoiceField(label=_("term"), queryset=Term.objects.none(), required=False)
    starts_on = forms.DateField(label=_("since"), widget=DateInput())
    is_village_head = forms.BooleanField(label=_("also village head"), required=False)
    username = forms.CharField(
        label=_("give access to chibo as the cell's secretary, with the username"),
        required=False,
        max_length=150,
        help_text=_("Only for a cell secretary, and only an administrator may do it."),
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        from members.models import Member

        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.active().in_subtree(unit.path)
        self.fields["term"].queryset = unit.terms.all()
        if not unit.is_cell:
            del self.fields["username"]


class TermForm(NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
