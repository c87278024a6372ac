"""Malformed and hostile spreadsheets sent to the member import: each gets a clear Vietnamese
message and nothing is written.

Every file is built in memory here and uploaded through the real import page (upload, then the
preview it redirects to). A file that cannot be read as a whole is refused on the upload page and
no import batch is recorded; a file that reads but has bad rows gets a preview listing them (its
batch is only that preview) and the commit is refused, so no member, event or placement is
written either way.

The files:

1. a corrupt zip (a zip signature, then garbage);
2. a truncated zip (a real workbook cut in half);
3. an empty file;
4. a CSV file renamed .xlsx;
5. an old binary .xls (OLE container) renamed .xlsx;
6. an OpenDocument spreadsheet (.ods) renamed .xlsx;
7. the wrong sheet first (a workbook whose first sheet is not the member list);
8. no header row (member rows from the first row);
9. the header in the wrong row (a title and a blank row above it);
10. merged header cells (a two-row header whose first row merges group titles);
11. required columns missing;
12. unknown extra columns: ignored, as the import always has (the file reads without error);
13. formulas in cells;
14. a sheet whose dimension claims A1:Z1000000 (the claim is not trusted: the file reads);
15. a sheet of 1,000,000 empty rows: refused after MAX_SHEET_ROWS rows, not read to its end;
16. a 50 MB file (the limit is 10 MB);
17. a zip bomb: a sheet that unzips to 300 MB, refused from the size the zip declares;
18. a zip whose header lies about a part's size (it never unzips more than it declares);
19. wrong types: text in a date column, a number in the name column;
20. dates as text in three formats: dd/mm/yyyy is accepted; yyyy-mm-dd and mm/dd/yyyy
    ("05/25/1990", "13/25/1990") are refused with the same message naming dd/mm/yyyy (a day-month
    order that happens to be valid, "05/06/1990", is always read as 5 June);
21. duplicate rows (the same citizen ID twice);
22. an encrypted (password-protected) workbook, an OLE container with an EncryptedPackage;
23. XML with an external entity (XXE): refused, the entity never resolved;
24. a "billion laughs" entity expansion: refused at once;
25. a shared-string index out of range (and one negative);
26. a cell reference past Excel's last column (XFD);
27. a cell holding a 1 MB string.
"""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from members.importer import MAX_SHEET_ROWS
from members.models import ImportBatch, Member, MembershipEvent, Placement
from tests.members.test_import import HEADERS, person, upload, xlsx

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DAMAGED = "Tệp Excel bị hỏng, không đọc được"
NOT_XLSX = "không phải là bảng tính Excel (.xlsx)"
HEADER_MISSING = "Dòng đầu tiên phải là tiêu đề cột của tệp mẫu"
NOT_A_DATE = "không phải là ngày ghi theo dạng dd/mm/yyyy"


def stored() -> tuple:
    return (
        Member.objects.count(),
        MembershipEvent.objects.count(),
        Placement.objects.count(),
        ImportBatch.objects.count(),
    )


def rezip(content: bytes, parts: dict) -> bytes:
    """The workbook with some parts replaced ({path in the zip: bytes})."""
    replaced = dict(parts)
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replaced.pop(name, None) or source.read(name))
        for name, data in replaced.items():
            target.writestr(name, data)
    return buffer.getvalue()


def with_sheet(xml: str | bytes) -> bytes:
    """A real workbook whose first sheet is `xml`."""
    return rezip(xlsx([person(1)]), {SHEET: _bytes(xml)})


def _bytes(xml) -> bytes:
    return xml.encode() if isinstance(xml, str) else xml


def sheet_xml(rows: str, dimension: str = "A1:AB2", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<worksheet xmlns="{MAIN_NS}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def inline_row(number: int, values: list) -> str:
    cells = "".join(
        f'<c r="{_letter(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
        if v
    )
    return f'<row r="{number}">{cells}</row>'


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_and_person() -> str:
    row = person(1)
    return inline_row(1, HEADERS) + inline_row(2, [row.get(h) for h in HEADERS])


def workbook_bytes(fill) -> bytes:
    workbook = Workbook()
    fill(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole_file(streams: list[str]) -> bytes:
    """The start of an OLE compound file whose directory names `streams` (UTF-16 names)."""
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\x00") for name in streams)
    return head + directory + b"\x00" * 1024


# --- Files refused as a whole: a message on the upload page, no batch ---------------------------


def _wrong_sheet(workbook):
    workbook.active.title = "Giá trị hợp lệ"
    workbook.active.append(["Dân tộc", "Tôn giáo"])
    workbook.active.append(["Kinh", "Không"])
    members = workbook.create_sheet("Đảng viên")
    members.append(HEADERS)


def _no_header(workbook):
    row = person(1)
    workbook.active.append([row.get(h) for h in HEADERS])


def _header_in_row_3(workbook):
    sheet = workbook.active
    sheet.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ BẢN MỂN"])
    sheet.append([])
    sheet.append(HEADERS)
    row = person(1)
    sheet.append([row.get(h) for h in HEADERS])


def _merged_header(workbook):
    sheet = workbook.active
    sheet.append(["Thông tin cá nhân"] + [None] * 10 + ["Thông tin đảng viên"])
    sheet.merge_cells("A1:K1")
    sheet.merge_cells("L1:AB1")
    sheet.append(HEADERS)


def _missing_columns(workbook):
    headers = [h for h in HEADERS if h not in ("Dân tộc", "Ngày sinh")]
    workbook.active.append(headers)
    row = person(1)
    workbook.active.append([row.get(h) for h in headers])


def _truncated() -> bytes:
    content = xlsx([person(n) for n in range(20)])
    return content[: len(content) // 2]


def _ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        ods.writestr("content.xml", "<office:document-content/>")
        ods.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


def _million_empty_rows() -> bytes:
    rows = header_and_person() + "<row/>" * 1_000_000
    return with_sheet(sheet_xml(rows, dimension="A1:Z1000000"))


def _zip_bomb() -> bytes:
    """A real workbook whose sheet unzips to 300 MB of spaces: about 1 MB zipped."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([person(1)])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for name in source.namelist():
            if name != SHEET:
                bomb.writestr(name, source.read(name))
        with bomb.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?>')
            chunk = b" " * (1 << 20)
            for _ in range(300):
                sheet.write(chunk)
    return buffer.getvalue()


def _lying_size() -> bytes:
    """The sheet's local and central headers declare 100 bytes; the stream holds far more."""
    content = xlsx([person(n) for n in range(50)])
    source = zipfile.ZipFile(io.BytesIO(content))
    info = source.getinfo(SHEET)
    real = info.file_size.to_bytes(4, "little")
    small = (100).to_bytes(4, "little")
    # The size sits after the CRC and the compressed size, in both headers.
    local = content.index(b"PK\x03\x04" + content[info.header_offset + 4 : info.header_offset + 26])
    content = bytearray(content)
    content[local + 22 : local + 26] = small
    central = content.index(b"PK\x01\x02", content.index(b"PK\x01\x02"))
    while content[central + 46 : central + 46 + len(SHEET)] != SHEET.encode():
        central = content.index(b"PK\x01\x02", central + 4)
    assert content[central + 24 : central + 28] == real
    content[central + 24 : central + 28] = small
    return bytes(content)


XXE = sheet_xml(
    inline_row(1, HEADERS) + '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
    prolog='<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
)
LAUGHS = sheet_xml(
    inline_row(1, HEADERS) + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
    prolog="<!DOCTYPE lolz [<!ENTITY lol 'lol'>"
    + "".join(
        f"<!ENTITY lol{i} '{f'&lol{i - 1};' * 10 if i > 1 else '&lol;' * 10}'>"
        for i in range(1, 10)
    )
    + "]>",
)


def _shared_string(index: int) -> bytes:
    row = inline_row(1, HEADERS) + f'<row r="2"><c r="A2" t="s"><v>{index}</v></c></row>'
    return with_sheet(sheet_xml(row))


REFUSED = [
    ("corrupt-zip", lambda: b"PK\x03\x04" + b"\x13\x37" * 400, DAMAGED),
    ("truncated-zip", _truncated, DAMAGED),
    ("empty-file", lambda: b"", "Tập tin được gửi là rỗng"),
    ("csv-renamed", lambda: "Họ và tên,Ngày sinh\nLò Văn A,01/01/1980\n".encode(), NOT_XLSX),
    ("xls-renamed", lambda: ole_file(["Root Entry", "Workbook", "SummaryInformation"]), NOT_XLSX),
    ("ods-renamed", _ods, "bảng tính OpenDocument (.ods)"),
    ("wrong-sheet-first", lambda: workbook_bytes(_wrong_sheet), HEADER_MISSING),
    ("no-header-row", lambda: workbook_bytes(_no_header), HEADER_MISSING),
    ("header-in-row-3", lambda: workbook_bytes(_header_in_row_3), HEADER_MISSING),
    ("merged-header-cells", lambda: workbook_bytes(_merged_header), HEADER_MISSING),
    ("missing-required-columns", lambda: workbook_bytes(_missing_columns), "Dân tộc, Ngày sinh"),
    ("million-empty-rows", _million_empty_rows, f"{MAX_SHEET_ROWS:,}".replace(",", ".")),
    ("fifty-megabytes", lambda: b"PK\x03\x04" + bytes(50 * 1024 * 1024), "10 MB"),
    ("zip-bomb", _zip_bomb, "giải nén ra hơn 200 MB"),
    ("lying-zip-header", _lying_size, DAMAGED),
    (
        "password-protected",
        lambda: ole_file(["Root Entry", "EncryptionInfo", "EncryptedPackage"]),
        "được đặt mật khẩu",
    ),
    ("external-entity", lambda: with_sheet(XXE), DAMAGED),
    ("billion-laughs", lambda: with_sheet(LAUGHS), DAMAGED),
    ("shared-string-out-of-range", lambda: _shared_string(999), DAMAGED),
    ("shared-string-negative", lambda: _shared_string(-1), DAMAGED),
    (
        "column-past-xfd",
        lambda: with_sheet(sheet_xml(inline_row(1, HEADERS) + '<row r="2"><c r="ZZZZZZ2"/></row>')),
        DAMAGED,
    ),
]


@pytest.mark.parametrize("make, message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_unreadable_file_is_refused_with_a_message_and_writes_nothing(
    tree, secretary_a, client_for, make, message
):
    response = upload(client_for(secretary_a), tree.cell_a1, make())
    page = response.content.decode()
    assert message in page
    assert stored() == (0, 0, 0, 0)


def test_external_entity_is_never_resolved(tree, secretary_a, client_for):
    response = upload(client_for(secretary_a), tree.cell_a1, with_sheet(XXE))
    assert "root:" not in response.content.decode()


# --- Files that read, with bad rows: a preview of errors, and the commit refused ----------------


def preview_and_commit(client, unit, content: bytes):
    """The preview's batch, after trying to commit it."""
    response = upload(client, unit, content)
    batch = response.context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    return response, batch


def reasons(batch) -> dict:
    return {header: reason for row in batch.rows for header, reason in row["errors"]}


def test_formulas_are_refused_cell_by_cell_and_nothing_is_committed(tree, secretary_a, client_for):
    content = xlsx([person(1, **{"Họ và tên": "=A1&B1", "Ngày sinh": "=TODAY()"})])
    _response, batch = preview_and_commit(client_for(secretary_a), tree.cell_a1, content)
    assert set(reasons(batch)) == {"Họ và tên", "Ngày sinh"}
    assert "Không nhận công thức" in reasons(batch)["Họ và tên"]
    assert stored()[:3] == (0, 0, 0)


def test_text_in_a_date_column_and_a_number_as_a_name_are_errors(tree, secretary_a, client_for):
    content = xlsx([person(1, **{"Họ và tên": 12345, "Ngày vào Đảng": "mười tháng ba"})])
    _response, batch = preview_and_commit(client_for(secretary_a), tree.cell_a1, content)
    assert NOT_A_DATE in reasons(batch)["Ngày vào Đảng"]
    assert "Họ tên là chữ" in reasons(batch)["Họ và tên"]
    assert stored()[:3] == (0, 0, 0)


@pytest.mark.parametrize("written", ["1990-05-25", "05/25/1990", "13/25/1990"])
def test_dates_not_written_dd_mm_yyyy_are_refused_naming_the_format(
    tree, secretary_a, client_for, written
):
    _response, batch = preview_and_commit(
        client_for(secretary_a), tree.cell_a1, xlsx([person(1, **{"Ngày sinh": written})])
    )
    assert NOT_A_DATE in reasons(batch)["Ngày sinh"]
    assert stored()[:3] == (0, 0, 0)


def test_a_date_written_dd_mm_yyyy_is_read_day_first(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    _response, batch = preview_and_commit(
        client, tree.cell_a1, xlsx([person(1, **{"Ngày sinh": "05/06/1990"})])
    )
    assert Member.objects.get().birth_date.isoformat() == "1990-06-05"


def test_the_same_citizen_id_twice_is_an_error_and_nothing_is_committed(
    tree, secretary_a, client_for
):
    twice = [person(1), person(2, **{"Số CCCD": person(1)["Số CCCD"]})]
    _response, batch = preview_and_commit(client_for(secretary_a), tree.cell_a1, xlsx(twice))
    assert reasons(batch)["Số CCCD"] == "Số CCCD này trùng với dòng 2."
    assert stored()[:3] == (0, 0, 0)


def test_a_one_megabyte_string_is_an_error_quoted_short(tree, secretary_a, client_for):
    # Written as the XML itself: openpyxl cuts a cell at Excel's 32,767 characters.
    huge = "Lò Văn Phương " * 75_000  # about 1 MB
    rows = [person(1, **{"Họ và tên": huge}), person(2, **{"Ngày sinh": huge})]
    xml = inline_row(1, HEADERS) + "".join(
        inline_row(n, [row.get(h) for h in HEADERS]) for n, row in enumerate(rows, start=2)
    )
    _response, batch = preview_and_commit(
        client_for(secretary_a), tree.cell_a1, with_sheet(sheet_xml(xml))
    )
    assert "tối đa 200 kí tự (hiện có 1049999)" in reasons(batch)["Họ và tên"]
    assert len(reasons(batch)["Ngày sinh"]) < 200
    assert stored()[:3] == (0, 0, 0)


# --- Files that read as they should ----------------------------------------------------------


def test_unknown_extra_columns_are_ignored(tree, secretary_a, client_for):
    headers = [*HEADERS, "Sở thích", "Cột lạ"]
    row = person(1, **{"Sở thích": "Bóng đá", "Cột lạ": "=1+1"})
    response = upload(client_for(secretary_a), tree.cell_a1, xlsx([row], headers=headers))
    assert response.context["batch"].error_count == 0


def test_a_dimension_claiming_a_million_rows_does_not_stop_the_file(tree, secretary_a, client_for):
    content = with_sheet(sheet_xml(header_and_person(), dimension="A1:Z1000000"))
    response = upload(client_for(secretary_a), tree.cell_a1, content)
    assert response.context["batch"].count("create") == 1
