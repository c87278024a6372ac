"""The meeting form (minutes, attendance, tasks) and the thematic-plan form.

Everything works as plain HTML: the attendance is one group of radio buttons per member and the
tasks are a fixed number of blank rows; static/js/meetings.js only adds a live tally.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import AttendanceStatus, Meeting, MeetingKind, ThematicPlan
from meetings.rules import next_quarter, quarter_of
from units.forms import BootstrapFormMixin, DateInput, NormalizedFormMixin
from units.models import Officer
from units.widgets import plain

TASK_ROWS = 3
# Short labels: three buttons side by side on a 360-px phone.
STATUS_BUTTONS = [
    (AttendanceStatus.PRESENT, _("Present")),
    (AttendanceStatus.EXCUSED, _("Excused")),
    (AttendanceStatus.UNEXCUSED, _("Unexcused")),
]


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the list the form was given (`members`): a posted choice is found in it,
    not read again from the database."""

    members: dict | None = None

    def label_from_instance(self, obj):
        return obj.full_name

    def use_members(self, members, queryset) -> None:
        """Choices among `members`, in hand: a posted one is found among them, and the options
        are listed from them in the members' order (sort key, id), not read again for each
        select (a meeting form has nine)."""
        self.members = {m.pk: m for m in members}
        self.queryset = queryset.filter(pk__in=list(self.members))  # resets the widget's
        ordered = sorted(self.members.values(), key=lambda m: (m.sort_key, m.pk))
        empty = [] if self.empty_label is None else [("", self.empty_label)]
        self.widget.choices = empty + [(m.pk, self.label_from_instance(m)) for m in ordered]

    def to_python(self, value):
        if self.members is None or value in self.empty_values:
            return super().to_python(value)
        if isinstance(value, self.queryset.model):
            value = value.pk
        try:
            return self.members[int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.member.full_name}, {obj.get_role_display()} {obj.unit.name}"


class MeetingForm(NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    guest_officers = OfficerChoiceField(
        queryset=None,
        required=False,
        label=_("officers from higher levels"),
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Officers of the committees above the cell who attended; others below."),
    )

    class Meta:
        model = Meeting
        fields = [
            "held_on",
            "kind",
            "is_model",
            "topic",
            "thematic_plan",
            "place",
            "chair",
            "recorder",
            "guests",
            "content",
            "resolution",
        ]
        widgets = {
            "held_on": DateInput(),
            "guests": forms.Textarea(attrs={"rows": 2}),
            "content": forms.Textarea(attrs={"rows": 4}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"chair": MemberChoiceField, "recorder": MemberChoiceField}

    def __init__(self, *args, cell, members, day, officers, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chair", "recorder"):
            self.fields[name].use_members(members, self.fields[name].queryset)
        # A thematic meeting links to the plan its cell registered for the meeting's quarter.
        year, quarter = quarter_of(day)
        plans = ThematicPlan.objects.filter(cell=cell, year=year, quarter=quarter)
        self.fields["thematic_plan"].queryset = plans
        self.fields["thematic_plan"].required = False
        if not self.is_bound and not self.instance.pk and "thematic_plan" not in self.initial:
            self.initial["thematic_plan"] = plans.values_list("pk", flat=True).first()
        if officers is None:  # a post that chose no officer: none to check (see offer_officers)
            self.fields["guest_officers"].queryset = Officer.objects.none()
        else:
            self.offer_officers(officers)
        self.order_fields(
            ["held_on", "kind", "is_model", "topic", "thematic_plan", "place", "chair"]
            + ["recorder", "guest_officers", "guests", "content", "resolution"]
        )
        self.fields["guests"].label = _("other guests")
        self.fields["guests"].help_text = _("Other committee members or cadres from higher levels.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.initial.setdefault(
                "guest_officers", [row.officer_id for row in self.instance.guest_rows.all()]
            )

    def offer_officers(self, officers) -> None:
        """The officers from above the form offers as guests (a queryset)."""
        self.fields["guest_officers"].queryset = officers
        if not officers.exists():  # no officer above on record: the free text alone
            self.fields["guest_officers"].widget = forms.MultipleHiddenInput()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == MeetingKind.THEMATIC and not cleaned.get("topic"):
            self.add_error("topic", _("A thematic meeting needs its topic."))
        return cleaned


class AttendanceForm(forms.Form):
    """One status (and a reason) per counted member; everyone present unless changed."""

    def __init__(self, *args, members, initial_rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        initial_rows = initial_rows or {}
        for member in members:
            status, reason = initial_rows.get(member.pk, (AttendanceStatus.PRESENT, ""))
            self.fields[f"status_{member.pk}"] = forms.ChoiceField(
                choices=STATUS_BUTTONS,
                initial=status,
                required=False,
                widget=plain(forms.RadioSelect(attrs={"class": "btn-check"})),
                label=member.full_name,
            )
            self.fields[f"reason_{member.pk}"] = forms.CharField(
                max_length=200,
                required=False,
                initial=reason,
                label=_("reason"),
                widget=plain(
                    forms.TextInput(
                        attrs={"class": "form-control form-control-sm", "placeholder": _("reason")}
                    )
                ),
            )

    def clean(self):
        cleaned = super().clean()
        for member in self.members:
            status = cleaned.get(f"status_{member.pk}")
            # CharField has trimmed the reason already.
            if status == AttendanceStatus.EXCUSED and not cleaned.get(f"reason_{member.pk}"):
                from meetings.services import EXCUSED_NEEDS_REASON

                self.add_error(f"reason_{member.pk}", EXCUSED_NEEDS_REASON)
        return cleaned

    def rows(self):
        """(member, status bound field, reason bound field, current status) for the template."""
        for member in self.members:
            status = self[f"status_{member.pk}"]
            yield member, status, self[f"reason_{member.pk}"], status.value()

    def attendance(self) -> dict[int, tuple[str, str]]:
        return {
            m.pk: (
                self.cleaned_data[f"status_{m.pk}"] or AttendanceStatus.PRESENT,
                self.cleaned_data[f"reason_{m.pk}"],
            )
            for m in self.members
        }


class TaskRowForm(NormalizedFormMixin, BootstrapFormMixin, forms.Form):
    member = MemberChoiceField(queryset=None, required=False, label=_("member"))
    text = forms.CharField(max_length=300, required=False, label=_("task"))
    due_on = forms.DateField(required=False, widget=DateInput(), label=_("due on"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        from members.models import Member

        self.fields["member"].use_members(members, Member.objects.all())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("text") and not cleaned.get("member"):
            self.add_error("member", _("Choose who does the task."))
        if cleaned.get("member") and not cleaned.get("text"):
            self.add_error("text", _("Write the task."))
        return cleaned


TaskFormSet = forms.formset_factory(TaskRowForm, extra=TASK_ROWS, max_num=TASK_ROWS)


class PlanForm(NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A cell registers the topic of this quarter or the next (HD 12-HD/BTCTW), no other."""

    class Meta:
        model = ThematicPlan
        fields = ["year", "quarter", "topic"]
        widgets = {"quarter": forms.Select(choices=[(q, q) for q in range(1, 5)])}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        year, quarter = cleaned.get("year"), cleaned.get("quarter")
        if year is not None and quarter is not None:
            allowed = {quarter_of(self.today), next_quarter(self.today)}
            if (year, quarter) not in allowed:
                (y1, q1), (y2, q2) = sorted(allowed)
                raise forms.ValidationError(
                    _(
                        "A topic is registered for this quarter (%(q1)s/%(y1)s) or the next "
                        "(%(q2)s/%(y2)s) only."
                    )
                    % {"q1": q1, "y1": y1, "q2": q2, "y2": y2}
                )
        return cleaned
