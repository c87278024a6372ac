"""Widgets rendered in Python (units.widgets) write exactly what Django's templates write."""

import copy
from datetime import date

import pytest
from django import forms

from units.forms import DateInput
from units.widgets import PlainSelect, plain

ATTRS = {"class": "form-control form-control-sm", "placeholder": 'lý do <&> "x"', "required": True}


class Sample(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs=ATTRS))
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "disabled": False}))
    email = forms.EmailField()
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(widget=DateInput())
    flag = forms.BooleanField(required=False)
    kind = forms.ChoiceField(
        choices=[("", "—"), ("a", "Chi bộ <bản>"), ("Nhóm", [("b", "Thôn & xóm"), ("c", "C")])]
    )
    status = forms.ChoiceField(
        choices=[("present", "Có mặt"), ("excused", "Vắng có lý do")],
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )


DATA = {
    "text": "Lò Văn <Phương>",
    "number": "7",
    "email": "a@b.vn",
    "hidden": '"x"',
    "day": "05/03/2026",
    "flag": "on",
    "kind": "b",
    "status": "excused",
}


def _pages(data):
    django_form = Sample(data, initial={"day": date(2026, 3, 5)})
    ours = copy.deepcopy(django_form)
    for field in ours.fields.values():
        plain(field.widget)
    return django_form, ours


@pytest.mark.parametrize("data", [DATA, None], ids=["posted", "blank"])
def test_every_widget_writes_the_markup_of_djangos_templates(data):
    django_form, ours = _pages(data)
    for name in Sample.base_fields:
        assert type(ours.fields[name].widget) is not type(django_form.fields[name].widget)
        assert str(ours[name]) == str(django_form[name]), name
        assert ours[name].widget_type == django_form[name].widget_type
    for theirs, mine in zip(django_form["status"], ours["status"], strict=True):
        assert mine.tag() == theirs.tag()


def test_a_plain_select_of_many_choices_matches_django():
    choices = [(i, f"Chi bộ {i} <&>") for i in range(300)]
    django_widget = forms.Select(attrs={"class": "form-select"}, choices=choices)
    ours = PlainSelect(attrs={"class": "form-select"}, choices=choices)
    assert ours.render("unit", 17) == django_widget.render("unit", 17)
