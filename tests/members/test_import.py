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

from members import services
from members.choices import EventKind, MemberStatus, Qualification, ServiceBackground, TheoryLevel
from members.importer import (
    COLUMNS,
    MAX_FILE_BYTES,
    NOT_IMPORTABLE,
    WRITE,
    choice_labels,
    progress_key,
)
from members.models import ImportBatch, Member
from tests.factories import MemberFactory, VillageFactory

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
            admitted_on=date(2012, 3, 10),
            official_on=date(2013, 3, 10),
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
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


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


# Updates: an empty cell leaves the record alone; event dates change only through the events


def same_dates(member, n=1, **changes) -> dict:
    """A row of `member`'s own dates, so the row matches the record's events."""
    row = person(n, **{"Họ và tên": member.full_name})
    row["Ngày sinh"] = member.birth_date.strftime("%d/%m/%Y")
    row["Ngày vào Đảng"] = member.admitted_on.strftime("%d/%m/%Y")
    row["Ngày lễ kết nạp"] = ""
    row["Ngày chính thức"] = member.official_on.strftime("%d/%m/%Y") if member.official_on else ""
    return {**row, **changes}


def commit(client, unit, rows, headers=HEADERS):
    batch = upload(client, unit, xlsx(rows, headers=headers)).context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))
    return batch


def reasons_of(batch) -> dict:
    return {header: reason for row in batch.rows for header, reason in row["errors"]}


def test_empty_cells_leave_an_existing_members_hometown_and_theory_level(
    tree, secretary_a, client_for
):
    member = MemberFactory(
        unit=tree.cell_a1, citizen_id="011085000001", theory_level=TheoryLevel.INTERMEDIATE
    )
    row = same_dates(member, **{"Quê quán": "", "Lý luận chính trị": "", "Số lý lịch": "LL-1"})
    commit(client_for(secretary_a), tree.cell_a1, [row])
    member.refresh_from_db()
    assert (member.hometown, member.theory_level, member.cv_number) == (
        "Mường Chà, Điện Biên",
        TheoryLevel.INTERMEDIATE,
        "LL-1",
    )


def test_empty_full_membership_date_leaves_a_full_member_full(tree, secretary_a, client_for):
    member = MemberFactory(unit=tree.cell_a1, citizen_id="011085000001")
    commit(client_for(secretary_a), tree.cell_a1, [same_dates(member, **{"Ngày chính thức": ""})])
    member.refresh_from_db()
    assert (member.status, member.official_on is not None) == (MemberStatus.FULL, True)


def test_a_changed_admission_date_is_refused_naming_the_admission_event(
    tree, secretary_a, client_for
):
    member = MemberFactory(unit=tree.cell_a1, citizen_id="011085000001")
    row = same_dates(member, **{"Ngày vào Đảng": "01/01/2011"})
    batch = upload(client_for(secretary_a), tree.cell_a1, xlsx([row])).context["batch"]
    reason = reasons_of(batch)["Ngày vào Đảng"]
    assert str(EventKind.ADMITTED.label) in reason
    assert member.admitted_on.strftime("%d/%m/%Y") in reason


def test_a_full_members_date_cannot_be_changed_by_an_import(tree, secretary_a, client_for):
    member = MemberFactory(unit=tree.cell_a1, citizen_id="011085000001")
    later = member.official_on.replace(year=member.official_on.year + 1)
    row = same_dates(member, **{"Ngày chính thức": later.strftime("%d/%m/%Y")})
    client = client_for(secretary_a)
    batch = commit(client, tree.cell_a1, [row])
    assert str(EventKind.RECOGNISED.label) in reasons_of(batch)["Ngày chính thức"]
    assert Member.objects.get(pk=member.pk).official_on == member.official_on


def test_a_probationary_member_is_recognised_by_an_import_with_the_event(
    tree, secretary_a, client_for
):
    member = MemberFactory(
        unit=tree.cell_a1,
        citizen_id="011085000001",
        admitted_on=date(2020, 5, 4),
        probationary=True,
    )
    row = same_dates(member, **{"Ngày chính thức": "04/05/2021"})
    commit(client_for(secretary_a), tree.cell_a1, [row])
    member.refresh_from_db()
    event = member.events.get()
    assert (member.status, member.official_on) == (MemberStatus.FULL, date(2021, 5, 4))
    assert (event.kind, event.on, event.created_by) == (
        EventKind.RECOGNISED,
        date(2021, 5, 4),
        secretary_a,
    )


def test_recognition_before_probation_ends_is_refused_in_the_preview(tree, secretary_a, client_for):
    member = MemberFactory(
        unit=tree.cell_a1,
        citizen_id="011085000001",
        admitted_on=date(2020, 5, 4),
        probationary=True,
    )
    row = same_dates(member, **{"Ngày chính thức": "01/03/2021"})
    batch = upload(client_for(secretary_a), tree.cell_a1, xlsx([row])).context["batch"]
    assert "04/05/2021" in reasons_of(batch)["Ngày chính thức"]


def test_recognition_before_the_members_last_event_is_refused(tree, secretary_a, client_for):
    member = MemberFactory(
        unit=tree.cell_a1,
        citizen_id="011085000001",
        admitted_on=date(2020, 5, 4),
        probationary=True,
    )
    services.member_exempt(member=member, on=date(2022, 1, 10), by=secretary_a)
    row = same_dates(member, **{"Ngày chính thức": "04/05/2021"})
    batch = upload(client_for(secretary_a), tree.cell_a1, xlsx([row])).context["batch"]
    assert "10/01/2022" in reasons_of(batch)["Ngày chính thức"]


def test_preview_shows_each_changed_field_old_and_new(tree, secretary_a, client_for):
    member = MemberFactory(unit=tree.cell_a1, citizen_id="011085000001", hometown="Tuần Giáo")
    row = same_dates(member, **{"Quê quán": "Sìn Hồ, Lai Châu"})
    response = upload(client_for(secretary_a), tree.cell_a1, xlsx([row]))
    changes = [c for c in response.context["batch"].rows[0]["changes"] if c[0] == "Quê quán"]
    assert changes == [["Quê quán", "Tuần Giáo", "Sìn Hồ, Lai Châu"]]
    assert "Tuần Giáo</del> → <ins>Sìn Hồ, Lai Châu" in response.content.decode()


def test_update_rows_leave_a_history_row_each_by_the_importer(tree, secretary_a, client_for):
    members = [
        MemberFactory(unit=tree.cell_a1, citizen_id=f"0110850000{n:02d}", cv_number="")
        for n in range(3)
    ]
    rows = [same_dates(m, n, **{"Số lý lịch": f"LL-{n}"}) for n, m in enumerate(members)]
    commit(client_for(secretary_a), tree.cell_a1, rows)
    latest = [m.history.first() for m in members]
    assert [(h.cv_number, h.history_type, h.history_user) for h in latest] == [
        (f"LL-{n}", "~", secretary_a) for n in range(3)
    ]


# Matching without numbers: name and birth date


def without_numbers(n: int, **changes) -> dict:
    return person(n, **{"Số CCCD": "", "Số thẻ đảng viên": "", **changes})


def test_reimporting_rows_without_numbers_adds_no_one(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    rows = [without_numbers(n) for n in range(3)]
    commit(client, tree.cell_a1, rows)
    again = commit(client, tree.cell_a1, rows)
    assert Member.objects.count() == 3
    assert again.count("unchanged") == 3


def test_row_without_numbers_updates_the_member_of_the_same_name_and_birth_date(
    tree, secretary_a, client_for
):
    client = client_for(secretary_a)
    commit(client, tree.cell_a1, [without_numbers(1)])
    commit(client, tree.cell_a1, [without_numbers(1, **{"Số lý lịch": "LL-42"})])
    assert list(Member.objects.values_list("cv_number", flat=True)) == ["LL-42"]


def test_name_match_ignores_case_and_diacritics_typed_differently(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    commit(client, tree.cell_a1, [without_numbers(1, **{"Họ và tên": "Quàng Thị Bình"})])
    batch = commit(client, tree.cell_a1, [without_numbers(1, **{"Họ và tên": "QUÀNG THỊ BÌNH"})])
    assert (batch.count("create"), Member.objects.count()) == (0, 1)


def test_row_adding_a_citizen_id_updates_the_member_recorded_without_one(
    tree, secretary_a, client_for
):
    client = client_for(secretary_a)
    commit(client, tree.cell_a1, [without_numbers(1)])
    commit(client, tree.cell_a1, [person(1, **{"Số thẻ đảng viên": ""})])
    assert list(Member.objects.values_list("citizen_id", flat=True)) == ["011085000001"]


def test_namesake_in_another_cell_the_user_may_edit_refuses_the_row(
    tree, commune_staff_a, client_for
):
    client = client_for(commune_staff_a)
    commit(client, tree.cell_a2, [without_numbers(1)])
    batch = upload(client, tree.cell_a1, xlsx([without_numbers(1)])).context["batch"]
    assert tree.cell_a2.display_name in reasons_of(batch)["Họ và tên"]


def test_namesake_with_other_numbers_is_flagged_as_a_probable_duplicate(
    tree, secretary_a, client_for
):
    MemberFactory(
        unit=tree.cell_a1,
        full_name="Lò Văn Phương 1",
        birth_date=date(1985, 5, 2),
        citizen_id="011085999999",
    )
    response = upload(client_for(secretary_a), tree.cell_a1, xlsx([person(1)]))
    row = response.context["batch"].rows[0]
    assert (row["action"], row["errors"], len(row["warnings"])) == ("create", [], 1)
    assert "import-warning" in response.content.decode()


def test_namesake_outside_the_users_units_is_neither_matched_nor_mentioned(
    tree, secretary_a, client_for
):
    MemberFactory(unit=tree.cell_b1, full_name="Lò Văn Phương 1", birth_date=date(1985, 5, 2))
    row = (
        upload(client_for(secretary_a), tree.cell_a1, xlsx([without_numbers(1)]))
        .context["batch"]
        .rows[0]
    )
    assert (row["action"], row["errors"], row["warnings"]) == ("create", [], [])


def test_the_same_person_twice_in_the_file_is_flagged(tree, secretary_a, client_for):
    rows = [without_numbers(1), without_numbers(1, **{"Số lý lịch": "LL-2"})]
    batch = upload(client_for(secretary_a), tree.cell_a1, xlsx(rows)).context["batch"]
    assert [len(row["warnings"]) for row in batch.rows] == [0, 1]
    assert "2" in batch.rows[1]["warnings"][0][1]


def test_two_rows_matching_one_member_by_name_are_refused(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    commit(client, tree.cell_a1, [without_numbers(1)])
    rows = [without_numbers(1), without_numbers(1, **{"Số lý lịch": "LL-2"})]
    assert errors_of(upload(client, tree.cell_a1, xlsx(rows))) == [(3, "Họ và tên")]


# Bulk commit: progress while it writes


def test_commit_reports_its_writing_progress_up_to_every_row(tree, secretary_a, client_for):
    existing = MemberFactory(unit=tree.cell_a1, citizen_id="011085000009", cv_number="")
    rows = [person(n) for n in range(3)] + [same_dates(existing, 9, **{"Số lý lịch": "LL-9"})]
    batch = upload(client_for(secretary_a), tree.cell_a1, xlsx(rows)).context["batch"]
    heard = []
    services.members_import(batch=batch, by=secretary_a, progress=lambda *a: heard.append(a))
    assert [a for a in heard if a[0] == WRITE][-1] == (WRITE, 4, 4)


def test_commit_refuses_a_member_moved_since_the_preview(tree, commune_staff_a, client_for):
    member = MemberFactory(unit=tree.cell_a1, citizen_id="011085000001", cv_number="")
    client = client_for(commune_staff_a)
    row = same_dates(member, **{"Số lý lịch": "LL-1"})
    batch = upload(client, tree.cell_a1, xlsx([row])).context["batch"]
    services.member_transfer(
        member=member, to_unit=tree.cell_a2, on=date(2025, 1, 5), by=commune_staff_a
    )
    response = client.post(reverse("member_import_commit", args=[batch.pk]), follow=True)
    assert "Dòng 2" in response.content.decode()
    assert Member.objects.get(pk=member.pk).cv_number == ""


# Preview: every row reachable


def test_preview_pages_through_every_row_of_a_long_file(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx([person(n) for n in range(230)])).context["batch"]
    url = reverse("member_import_preview", args=[batch.pk])
    first, second = client.get(url), client.get(url, {"page": 2})
    assert [
        first.content.decode().count('class="import-row"'),
        second.content.decode().count('class="import-row"'),
    ] == [200, 30]
    assert "page=2" in first.content.decode()


def test_preview_pages_through_the_errors(tree, secretary_a, client_for):
    rows = [person(n, **{"Dân tộc": "Kinh Thượng"}) for n in range(130)]
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx(rows)).context["batch"]
    url = reverse("member_import_preview", args=[batch.pk])
    second = client.get(url, {"errors_page": 2}).content.decode()
    assert second.count('class="import-error"') == 30


# Village of residence


@pytest.fixture
def villages(tree):
    return {
        "men": VillageFactory(commune=tree.commune_a, name="Bản Mển"),
        "nam_chua": VillageFactory(commune=tree.commune_b, name="Bản Nậm Chua"),
    }


@pytest.mark.parametrize("written", ["Bản Mển", "bản mển", "Ban Men", "Mển"])
def test_village_is_matched_by_name_within_the_cells_commune(
    villages, tree, secretary_a, client_for, written
):
    commit(client_for(secretary_a), tree.cell_a1, [person(1, **{"Thôn, bản nơi cư trú": written})])
    assert Member.objects.get().residence_village == villages["men"]


def test_village_of_another_commune_is_an_error_naming_the_commune(
    villages, tree, secretary_a, client_for
):
    row = person(1, **{"Thôn, bản nơi cư trú": "Bản Nậm Chua"})
    batch = upload(client_for(secretary_a), tree.cell_a1, xlsx([row])).context["batch"]
    assert tree.commune_a.display_name in reasons_of(batch)["Thôn, bản nơi cư trú"]


# What a row about someone outside the user's units says


def test_citizen_id_of_someone_outside_the_users_units_gets_a_neutral_refusal(
    tree, secretary_a, client_for
):
    MemberFactory(unit=tree.cell_b1, citizen_id="011085000001", full_name="Giàng A Sử")
    row = person(1, **{"Ngày vào Đảng": "01/01/2001"})
    batch = upload(client_for(secretary_a), tree.cell_a1, xlsx([row])).context["batch"]
    assert batch.rows[0]["errors"] == [["Số CCCD", str(NOT_IMPORTABLE["citizen_id"])]]
    assert batch.rows[0]["member_id"] is None


def test_commit_checks_again_a_member_saved_since_the_preview(tree, secretary_a, client_for):
    member = MemberFactory(
        unit=tree.cell_a1,
        citizen_id="011085000001",
        admitted_on=date(2020, 5, 4),
        probationary=True,
    )
    client = client_for(secretary_a)
    row = same_dates(member, **{"Ngày chính thức": "04/05/2021"})
    batch = upload(client, tree.cell_a1, xlsx([row])).context["batch"]
    services.member_recognise(member=member, on=date(2021, 6, 1), by=secretary_a)
    response = client.post(reverse("member_import_commit", args=[batch.pk]), follow=True)
    assert "Dòng 2" in response.content.decode()
    assert Member.objects.get(pk=member.pk).official_on == date(2021, 6, 1)


def test_rich_text_and_shared_strings_read_as_their_plain_text(tree, secretary_a, client_for):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    name = CellRichText(["Lò ", TextBlock(InlineFont(b=True), "Văn"), " Phương"])
    client = client_for(secretary_a)
    commit(client, tree.cell_a1, [person(1, **{"Họ và tên": name})])
    assert Member.objects.get().full_name == "Lò Văn Phương"


def test_education_written_as_grades_and_a_theory_bachelor_are_understood(
    tree, secretary_a, client_for
):
    rows = [
        person(1, **{"Trình độ học vấn": "12/12", "Lý luận chính trị": "Cử nhân"}),
        person(2, **{"Trình độ học vấn": "9/12"}),
        person(3, **{"Trình độ học vấn": "7/10"}),
        person(4, **{"Trình độ học vấn": "4/10"}),
    ]
    client = client_for(secretary_a)
    batch = upload(client, tree.cell_a1, xlsx(rows)).context["batch"]
    client.post(reverse("member_import_commit", args=[batch.pk]))

    levels = dict(Member.objects.values_list("citizen_id", "education"))
    assert [levels[f"011085{n:06d}"] for n in (1, 2, 3, 4)] == [
        "upper_secondary",
        "lower_secondary",
        "lower_secondary",
        "primary",
    ]
    assert Member.objects.get(citizen_id="011085000001").theory_level == TheoryLevel.ADVANCED
