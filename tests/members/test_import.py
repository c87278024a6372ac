"""Excel import of members: template, upload, preview with errors by row and column, commit all
or nothing, re-import changes nothing, files that cannot be read, and scope."""

import io
import unicodedata
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members.choices import Qualification, ServiceBackground
from members.importer import COLUMNS, MAX_FILE_BYTES, choice_labels, progress_key
from members.models import ImportBatch, Member
from tests.factories import MemberFactory

HEADERS = [header for _name, header in COLUMNS]


def label(choices, value) -> str:
    """How the file writes a choice: its Vietnamese label, as in the sheet of allowed values."""
    return dict(choice_labels(choices))[value]


def person(n: int, **changes) -> dict:
    """One row of the file, by header."""
    row = {
        "Họ và tên": f"Lò Văn Phương {n}",
        "Tên khai sinh": "",
        "Giới tính": "Nam",
        "Ngày sinh": f"{1 + n % 28:02d}/05/1985",
        "Nơi sinh": "Xã Mường Mươn, huyện Mường Chà",
        "Dân tộc": "Thái",
        "Tôn giáo": "",
        "Quê quán": "Mường Chà, Điện Biên",
        "Nơi thường trú": "Bản Mển, xã Mường Mươn",
        "Nơi tạm trú": "",
        "Số CCCD": f"011085{n:06d}",
        "Số thẻ đảng viên": f"5100{n:04d}",
        "Số lý lịch": f"LL-{n:05d}",
        "Số huy hiệu": "",
        "Ngày vào Đảng": "10/03/2012",
        "Ngày lễ kết nạp": "10/03/2012",
        "Ngày chính thức": "10/03/2013",
        "Trình độ học vấn": "Trung học phổ thông",
        "Trình độ chuyên môn": label(Qualification, Qualification.ELEMENTARY),
        "Lý luận chính trị": "Sơ cấp",
        "Ngoại ngữ": "",
        "Nghề nghiệp trước khi vào Đảng": "Nông dân",
        "Nghề nghiệp": "Nông dân",
        "Đoàn viên": "Có",
        "Quân đội, công an, hưu trí": "",
        "Điện thoại": "",
        "Ghi chú": "",
    }
    return {**row, **changes}


def xlsx(rows: list[dict], headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, unit, content: bytes, name="dang-vien.xlsx"):
    return client.post(
        reverse("member_import"),
        {"unit": unit.pk, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def errors_of(response) -> list[tuple[str, str]]:
    """(row, column) of each error the preview lists."""
    batch = response.context["batch"]
    return [(row["row"], header) for row in batch.rows for header, _reason in row["errors"]]


@pytest.fixture
def fifty_rows(tree):
    """50 rows: 10 members already in cell A1 (matched by citizen ID), 40 new, 3 errors."""
    existing = [
        MemberFactory(
            unit=tree.cell_a1,
            full_name=f"Lò Văn Phương {n}",
            citizen_id=f"011085{n:06d}",
            card_number=f"5100{n:04d}",
        )
        for n in range(10)
    ]
    rows = [person(n) for n in range(50)]
    rows[4]["Ngày sinh"] = "31/02/1985"  # row 6: a bad date
    rows[19]["Dân tộc"] = "Kinh Thượng"  # row 21: an unknown ethnicity
    rows[29]["Số thẻ đảng viên"] = rows[28]["Số thẻ đảng viên"]  # row 31: duplicate card
    return existing, rows


def test_template_has_vietnamese_headers_and_a_sheet_of_allowed_values(secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    first, allowed = workbook.worksheets
    assert [c.value for c in first[1]] == HEADERS
    assert "H'Mông" in [c.value for c in allowed["B"]]


def test_preview_names_three_errors_by_row_and_column(fifty_rows, tree, secretary_a, client_for):
    _existing, rows = fifty_rows
    response = upload(client_for(secretary_a), tree.cell_a1, xlsx(rows))
    assert errors_of(response) == [
        (6, "Ngày sinh"),
        (21, "Dân tộc"),
        (31, "Số thẻ đảng viên"),
    ]
    assert "không phải là ngày" in response.content.decode() or "dd/mm/yyyy" in (
        response.content.decode()
    )


def test_commit_is_refused_while_the_file_has_errors(fifty_rows, tree, secretary_a, client_for):
    _existing, rows = fifty_rows
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx(rows)).context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    assert Member.objects.count() == 10


def test_fixed_file_commits_fifty_rows_and_reimport_changes_nothing(
    fifty_rows, tree, secretary_a, client_for
):
    existing, rows = fifty_rows
    rows[4]["Ngày sinh"] = "28/02/1985"
    rows[19]["Dân tộc"] = "Kinh"
    rows[29]["Số thẻ đảng viên"] = "51009999"
    content = xlsx(rows)
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, content).context["batch"]
    assert (batch.error_count, batch.count("create"), batch.count("update")) == (0, 40, 10)
    client.post(reverse("member_import_commit", args=[batch.pk]))
    history = sum(m.history.count() for m in Member.objects.all())
    again = upload(client, tree.cell_a1, content).context["batch"]
    client.post(reverse("member_import_commit", args=[again.pk]))
    assert Member.objects.filter(unit=tree.cell_a1).count() == 50
    assert again.count("unchanged") == 50
    assert sum(m.history.count() for m in Member.objects.all()) == history


def test_update_writes_the_changed_value_with_history(tree, secretary_a, client_for):
    member = MemberFactory(unit=tree.cell_a1, citizen_id="011085000001", card_number="")
    row = person(1, **{"Họ và tên": member.full_name, "Số thẻ đảng viên": "51001111"})
    row["Ngày sinh"] = member.birth_date.strftime("%d/%m/%Y")
    row["Ngày vào Đảng"] = member.admitted_on.strftime("%d/%m/%Y")
    row["Ngày lễ kết nạp"] = member.admitted_on.strftime("%d/%m/%Y")
    row["Ngày chính thức"] = member.official_on.strftime("%d/%m/%Y")
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([row])).context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    member.refresh_from_db()
    assert member.card_number == "51001111"
    assert member.history.first().history_user == secretary_a


def test_real_excel_dates_decomposed_names_and_spaces_are_read(tree, secretary_a, client_for):
    decomposed = unicodedata.normalize("NFD", "  Quàng Thị Bình ")
    row = person(1, **{"Họ và tên": decomposed, "Ngày sinh": datetime(1990, 7, 15)})
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([row])).context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    member = Member.objects.get()
    assert (member.full_name, member.birth_date) == ("Quàng Thị Bình", date(1990, 7, 15))


def test_card_number_of_another_member_is_an_error(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a2, card_number="51000001")
    response = upload(client_for(secretary_a), tree.cell_a1, xlsx([person(1)]))
    assert errors_of(response) == [(2, "Số thẻ đảng viên")]


def test_formula_cell_is_refused_and_nothing_is_written(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    response = upload(client, tree.cell_a1, xlsx([person(1, **{"Quê quán": "=HYPERLINK(1)"})]))
    batch = response.context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    assert errors_of(response) == [(2, "Quê quán")]
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"PK\x03\x04" + b"\x00" * 200, "hong.xlsx", "bị hỏng"),
        ("Họ và tên,Ngày sinh\nLò Văn A,01/01/1980\n".encode(), "csv.xlsx", ".xlsx"),
        (b"PK\x03\x04" + b"\x00" * (MAX_FILE_BYTES * 2), "lon.xlsx", "10 MB"),
    ],
    ids=["corrupt", "csv-renamed", "too-big"],
)
def test_unreadable_files_get_a_message_and_write_nothing(
    tree, secretary_a, client_for, content, name, message
):
    response = upload(client_for(secretary_a), tree.cell_a1, content, name)
    assert message in response.content.decode()
    assert (ImportBatch.objects.count(), Member.objects.count()) == (0, 0)


def test_secretary_cannot_import_into_another_cell(tree, secretary_a, client_for):
    response = upload(client_for(secretary_a), tree.cell_b1, xlsx([person(1)]))
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_member_of_a_unit_outside_the_cell_cannot_be_updated(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_b1, citizen_id="011085000001")
    response = upload(client_for(secretary_a), tree.cell_a1, xlsx([person(1)]))
    assert errors_of(response) == [(2, "Số CCCD")]


def test_viewer_cannot_open_the_import_page(viewer, client_for):
    assert client_for(viewer).get(reverse("member_import")).status_code == 403


def test_another_users_import_is_not_found(tree, secretary_a, commune_staff_a, client_for):
    batch = upload(client_for(secretary_a), tree.cell_a1, xlsx([person(1)])).context["batch"]
    client = client_for(commune_staff_a)
    assert client.get(reverse("member_import_preview", args=[batch.pk])).status_code == 404


def test_commit_needs_post(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([person(1)])).context["batch"]
    assert client.get(reverse("member_import_commit", args=[batch.pk])).status_code == 405


def test_new_member_is_placed_in_the_cell_from_admission_with_history(
    tree, secretary_a, client_for
):
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([person(1)])).context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    member = Member.objects.get()
    placement = member.placements.get()
    assert (placement.unit, placement.valid_from) == (tree.cell_a1, date(2012, 3, 10))
    assert member.history.get().history_user == secretary_a


def test_commit_is_refused_when_a_citizen_id_was_taken_since_the_preview(
    tree, secretary_a, client_for
):
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([person(1), person(2)])).context["batch"]
    MemberFactory(unit=tree.cell_a2, citizen_id="011085000002")
    response = client.post(reverse("member_import_commit", args=[batch.pk]), follow=True)
    assert "Dòng 3" in response.content.decode()
    assert Member.objects.count() == 1


def test_template_lists_the_new_record_columns_and_their_allowed_values(secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_import_template"))
    first, allowed = load_workbook(io.BytesIO(response.content)).worksheets
    headers = [c.value for c in first[1]]
    lists = {
        column[0].value: [c.value for c in column[1:] if c.value] for column in allowed.columns
    }
    assert {"Số lý lịch", "Ngày lễ kết nạp", "Nơi thường trú", "Ghi chú"} <= set(headers)
    assert lists["Đoàn viên"] == ["Có", "Không"]
    assert label(Qualification, Qualification.UNIVERSITY) in lists["Trình độ chuyên môn"]


def test_new_record_columns_are_saved(tree, secretary_a, client_for):
    row = person(
        1,
        **{
            "Số lý lịch": "LL-0042",
            "Số huy hiệu": "HH-7",
            "Ngày lễ kết nạp": datetime(2012, 3, 10),
            "Trình độ chuyên môn": label(Qualification, Qualification.UNIVERSITY),
            "Quân đội, công an, hưu trí": label(ServiceBackground, ServiceBackground.VETERAN),
            "Đoàn viên": "không",
            "Ghi chú": "Dòng một\nDòng hai",
        },
    )
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([row])).context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    member = Member.objects.get()
    assert (member.cv_number, member.badge_number, member.ceremony_on) == (
        "LL-0042",
        "HH-7",
        date(2012, 3, 10),
    )
    assert (member.qualification, member.service_background, member.youth_union) == (
        Qualification.UNIVERSITY,
        ServiceBackground.VETERAN,
        False,
    )
    assert member.notes == "Dòng một\nDòng hai"


@pytest.mark.parametrize(
    "column, value",
    [
        ("Trình độ chuyên môn", "Phó giáo sư"),
        ("Đoàn viên", "Có lẽ"),
        ("Nghề nghiệp trước khi vào Đảng", "Phi hành gia"),
        ("Ngày lễ kết nạp", "10/13/2012"),
    ],
)
def test_bad_value_in_a_new_column_is_an_error_of_that_column(
    tree, secretary_a, client_for, column, value
):
    response = upload(client_for(secretary_a), tree.cell_a1, xlsx([person(1, **{column: value})]))
    assert errors_of(response) == [(2, column)]


def test_file_without_a_column_leaves_that_field_of_a_member_alone(tree, secretary_a, client_for):
    member = MemberFactory(unit=tree.cell_a1, citizen_id="011085000001", cv_number="LL-9")
    row = person(1, **{"Họ và tên": "Lò Văn Phương Mới"})
    row["Ngày sinh"] = member.birth_date.strftime("%d/%m/%Y")
    row["Ngày vào Đảng"] = row["Ngày lễ kết nạp"] = member.admitted_on.strftime("%d/%m/%Y")
    headers = [h for h in HEADERS if h not in ("Số lý lịch", "Ngày chính thức")]
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([row], headers=headers)).context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    member.refresh_from_db()
    assert (member.full_name, member.cv_number, member.status) == (
        "Lò Văn Phương Mới",
        "LL-9",
        "full",
    )


@pytest.fixture
def own_cache(settings):
    """A cache of this test's own: parallel test workers share the file cache's keys."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_progress_of_the_check_and_of_the_commit_is_readable_while_they_run(
    own_cache, tree, secretary_a, client_for
):
    from django.core.cache import cache

    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([person(n) for n in range(3)])).context["batch"]
    checked = cache.get(progress_key(secretary_a.pk))
    client.post(reverse("member_import_commit", args=[batch.pk]))
    saved = cache.get(progress_key(secretary_a.pk))
    assert (checked["phase"], checked["done"], checked["total"]) == ("check", 3, 3)
    assert (saved["phase"], saved["done"]) == ("done", 3)


def test_progress_fragment_shows_the_rows_done(own_cache, tree, secretary_a, client_for):
    client = client_for(secretary_a)
    upload(client, tree.cell_a1, xlsx([person(n) for n in range(3)]))
    response = client.get(reverse("member_import_progress"), {"since": "0"})
    assert "3" in response.content.decode() and "<progress" in response.content.decode()


def test_progress_older_than_the_page_is_not_shown(own_cache, tree, secretary_a, client_for):
    client = client_for(secretary_a)
    upload(client, tree.cell_a1, xlsx([person(1)]))
    response = client.get(reverse("member_import_progress"), {"since": "99999999999"})
    assert "<progress" not in response.content.decode()


def test_progress_of_another_user_is_not_shown(
    own_cache, tree, secretary_a, commune_staff_a, client_for
):
    upload(client_for(secretary_a), tree.cell_a1, xlsx([person(1)]))
    response = client_for(commune_staff_a).get(reverse("member_import_progress"))
    assert "<progress" not in response.content.decode()


def test_viewer_cannot_read_import_progress(viewer, client_for):
    assert client_for(viewer).get(reverse("member_import_progress")).status_code == 403


def test_progress_needs_get(secretary_a, client_for):
    assert client_for(secretary_a).post(reverse("member_import_progress")).status_code == 405


def test_import_pages_poll_progress_from_a_static_script(secretary_a, client_for):
    html = client_for(secretary_a).get(reverse("member_import")).content.decode()
    assert 'src="/static/js/member_import.js"' in html
    assert 'id="import-progress"' in html and "<script>" not in html


def test_bench_command_imports_a_generated_file_and_leaves_the_database_unchanged(db):
    out = io.StringIO()
    call_command("bench_import", rows=30, existing=10, budget=600, stdout=out)
    assert "commit: write members and history" in out.getvalue()
    assert (Member.objects.count(), ImportBatch.objects.count()) == (0, 0)


def test_bench_command_fails_over_budget(db):
    with pytest.raises(CommandError, match="over"):
        call_command("bench_import", rows=5, budget=0, stdout=io.StringIO())
