"""Properties of the pure parsers, over generated input: Vietnamese text normalisation, the
import's cell parsers, the xlsx reader, and the forms' date fields.

No database: these run in a fraction of a second each. CHIBO_FUZZ_EXAMPLES raises the number of
examples (default 100 here, where an example costs about a millisecond).
"""

import contextlib
import io
import os
import unicodedata
from datetime import date, datetime

import pytest
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from members.choices import Education, Ethnicity, Sex
from members.forms import RegisterPeriodForm
from members.importer import _cell_text, _choice_lookup, _parse_date, choice_labels
from members.xlsx import SheetReader, WorkbookError, _column
from tests.members.test_import import person, xlsx
from units.vietnamese import name_sort_key, normalize_text, strip_diacritics

EXAMPLES = int(os.environ.get("CHIBO_FUZZ_EXAMPLES", "100"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Text as a form or a cell can carry it: anything but the surrogates.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
NAMES = st.lists(
    st.text(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper(), min_size=1, max_size=8),
    min_size=1,
    max_size=5,
).map(" ".join)


# --- Vietnamese text -----------------------------------------------------------------------


@fuzz
@given(TEXT)
@example("  Nguye\u0302\u0303n   Thi\u0323 \t Hu\u031bo\u031b\u0300ng \n")
def test_normalised_text_is_nfc_trimmed_and_single_spaced(text):
    normal = normalize_text(text)
    assert normal == unicodedata.normalize("NFC", normal)
    assert normal == normal.strip() and "  " not in normal


@fuzz
@given(TEXT)
def test_normalising_twice_changes_nothing(text):
    assert normalize_text(normalize_text(text)) == normalize_text(text)


@fuzz
@given(NAMES)
def test_a_name_typed_decomposed_normalises_to_the_composed_name(name):
    assert normalize_text(unicodedata.normalize("NFD", name)) == unicodedata.normalize("NFC", name)


@fuzz
@given(TEXT)
def test_a_search_key_has_no_diacritics_whatever_the_normal_form(text):
    key = strip_diacritics(text)
    assert not any(unicodedata.combining(ch) for ch in key)
    assert strip_diacritics(unicodedata.normalize("NFD", text)) == key


@fuzz
@given(NAMES)
def test_a_name_sorts_the_same_typed_composed_or_decomposed(name):
    key = name_sort_key(name)
    assert key.isdigit()
    assert name_sort_key(unicodedata.normalize("NFD", name)) == key


# --- The import's cell parsers -------------------------------------------------------------


@fuzz
@given(st.dates(min_value=date(1000, 1, 1)))
def test_a_date_written_dd_mm_yyyy_reads_back_as_itself(day):
    assert _parse_date(day.strftime("%d/%m/%Y")) == day


@fuzz
@given(st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none()))
@example("31/02/2026")
@example("99/99/9999")
@example("01/01/0000")
@example("2026-13-01")
@example("x" * 100_000)
def test_any_cell_is_a_date_or_a_reason_never_a_crash(value):
    try:
        parsed = _parse_date(value)
    except ValueError as error:
        assert "dd/mm/yyyy" in str(error) and len(str(error)) < 200
    else:
        assert parsed is None or isinstance(parsed, date)


@fuzz
@given(st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.datetimes()))
def test_any_cell_reads_as_normalised_text(value):
    text = _cell_text(value)
    assert text == normalize_text(text)


@fuzz
@given(st.integers(min_value=0, max_value=16_383), st.integers(min_value=1, max_value=1_048_576))
def test_a_cell_reference_gives_its_column(column, row):
    assert _column(f"{get_column_letter(column + 1)}{row}") == column


@pytest.mark.parametrize("choices", [Sex, Ethnicity, Education], ids=lambda c: c.__name__)
def test_every_allowed_value_is_understood_with_or_without_diacritics(choices):
    exact, loose = _choice_lookup(choices)
    with translation.override("vi"):
        labels = choice_labels(choices)
    understood = [
        exact.get(normalize_text(label).casefold()) == value
        and loose.get(strip_diacritics(label), value) == value
        for value, label in labels
    ]
    assert all(understood)


# --- The xlsx reader -----------------------------------------------------------------------

WORKBOOK = xlsx([person(n) for n in range(3)])


def read_all(content: bytes) -> list:
    return list(SheetReader(content).rows())


@fuzz
@given(st.binary(max_size=2000))
def test_any_bytes_are_a_workbook_or_a_workbook_error(content):
    with contextlib.suppress(WorkbookError):
        read_all(content)


@fuzz
@given(st.data())
def test_a_damaged_workbook_reads_or_fails_as_a_workbook_error(data):
    content = bytearray(WORKBOOK)
    for _ in range(data.draw(st.integers(min_value=1, max_value=8), label="bytes changed")):
        at = data.draw(st.integers(min_value=0, max_value=len(content) - 1), label="at")
        content[at] = data.draw(st.integers(min_value=0, max_value=255), label="to")
    with contextlib.suppress(WorkbookError):
        read_all(bytes(content))


def _workbook_with_sheet(xml: bytes) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(WORKBOOK))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            part = xml if name == "xl/worksheets/sheet1.xml" else source.read(name)
            target.writestr(name, part)
    return buffer.getvalue()


CELL_TYPES = st.sampled_from(["n", "s", "str", "b", "d", "e", "inlineStr", "zz"])
STYLES = st.sampled_from(["", "0", "9", "x"])
REFERENCES = st.one_of(
    st.from_regex(r"[A-Z]{1,3}[0-9]{1,7}", fullmatch=True),
    st.text("AZaz09$-: ", max_size=12),
)


@fuzz
@given(
    st.lists(
        st.tuples(REFERENCES, CELL_TYPES, st.one_of(st.none(), TEXT), STYLES),
        max_size=12,
    )
)
def test_any_cells_in_a_sheet_read_or_fail_as_a_workbook_error(cells):
    from xml.sax.saxutils import escape, quoteattr

    body = "".join(
        f"<c r={quoteattr(ref)} t={quoteattr(kind)}"
        + (f' s="{style}"' if style else "")
        + ">"
        + ("" if value is None else f"<v>{escape(value)}</v>")
        + "</c>"
        for ref, kind, value, style in cells
    )
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{body}</row></sheetData></worksheet>'
    )
    try:
        rows = read_all(_workbook_with_sheet(xml.encode()))
    except WorkbookError:
        return
    for _number, values in rows:
        assert all(v is None or isinstance(v, str | int | float | bool | datetime) for v in values)


# --- Dates in forms ------------------------------------------------------------------------


@fuzz
@given(st.dates(min_value=date(1000, 1, 1)))
def test_a_form_date_written_dd_mm_yyyy_is_read_as_itself(day):
    with translation.override("vi"):
        form = RegisterPeriodForm({"start": day.strftime("%d/%m/%Y")})
        assert form.is_valid() and form.cleaned_data["start"] == day


@fuzz
@given(st.one_of(TEXT, st.sampled_from(["31/02/2026", "01/01/0001", "99/99/9999", "2026-13-01"])))
def test_any_text_in_a_form_date_is_a_date_or_a_form_error(text):
    with translation.override("vi"):
        form = RegisterPeriodForm({"start": text, "end": "31/12/2026"})
        if form.is_valid():
            assert isinstance(form.cleaned_data["start"], date | type(None))
        else:
            assert form.errors
