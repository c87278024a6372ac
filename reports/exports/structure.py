"""Biểu số 3-BTCTW (the members on the roll at the period's end) and Biểu số 2-BTCTW (the
members admitted in the period), by the rows of REPORT_FORMS.md §2 and §3, each against the
same date or period a year earlier; and Biểu số 4-BTCTW (the roll by ethnic group and religion).
One workbook, one sheet per form.
"""

from datetime import date

from django.utils.translation import gettext as _

from members.choices import Ethnicity, Religion
from reports.exports.frame import (
    NOT_RECORDED,
    FormSheet,
    comparison_sheet,
    file_name,
    new_workbook,
    not_recorded_note,
    percent_of,
    period_words,
    save,
)
from reports.statistics import (
    admissions_structure,
    grassroots_with_admissions,
    member_structure,
    membership_changes,
)

FILE_TITLE = "Biểu 2, 3, 4 - Thống kê đội ngũ đảng viên và đảng viên mới kết nạp"
HEAD = None  # a heading row: no figure

# Blocks shared by Biểu 2 and 3: (label, style, key of the Structure, NOT_RECORDED or HEAD)
OCCUPATION = [
    ("- Cán bộ, công chức cơ quan Nhà nước tính từ cấp huyện trở lên", "", NOT_RECORDED),
    (
        "- Cán bộ, công chức cơ quan Đảng, Mặt trận Tổ quốc, đoàn thể chính trị - xã hội "
        "tính từ cấp huyện trở lên",
        "",
        NOT_RECORDED,
    ),
    (
        "- Cán bộ, công chức; người hoạt động không chuyên trách ở xã, phường, thị trấn",
        "",
        "occ:commune_official",
    ),
    ("- Người hoạt động không chuyên trách thôn, tổ dân phố, bản (ấp, khóm)", "", NOT_RECORDED),
    ("- Viên chức trong các đơn vị sự nghiệp công lập", "", "occ:public_employee"),
    ("- Người lao động trong các đơn vị sự nghiệp ngoài công lập", "", NOT_RECORDED),
    (
        "- Lãnh đạo, quản lý và lao động trong các doanh nghiệp, chia ra:",
        "",
        lambda s: s["occ:enterprise_staff"] + s["occ:enterprise_worker"],
    ),
    ("+ Người lãnh đạo, quản lý doanh nghiệp", "italic", NOT_RECORDED),
    ("+ Nhân viên, người gián tiếp sản xuất", "italic", "occ:enterprise_staff"),
    ("+ Công nhân, lao động trực tiếp sản xuất", "italic", "occ:enterprise_worker"),
    ("- Người làm nông, lâm, ngư nghiệp", "", "occ:farmer"),
    ("- Sỹ quan, chiến sỹ quân đội và công an (lực lượng vũ trang)", "", "occ:armed_forces"),
    ("- Sinh viên", "", "occ:student"),
    ("- Học sinh", "", NOT_RECORDED),
    ("- Khác (lao động hợp đồng, tự do…)", "", "occ:other"),
]
AGE = [
    ("- Từ 18 - 30 tuổi", "", "age:18_30"),
    ("- Từ 31 - 35 tuổi", "", "age:31_35"),
    ("- Từ 36 - 40 tuổi", "", "age:36_40"),
    ("- Từ 41 - 45 tuổi", "", "age:41_45"),
    ("- Từ 46 - 50 tuổi", "", "age:46_50"),
    ("- Từ 51 - 55 tuổi", "", "age:51_55"),
    ("- Từ 56 - 60 tuổi", "", "age:56_60"),
    ("- Trên 60 tuổi", "", "age:over_60"),
    ("- Tuổi bình quân", "", lambda s: round(s.mean_age, 1) if s.mean_age else None),
]
EDUCATION = [
    ("- Biết đọc, biết viết chữ quốc ngữ", "", NOT_RECORDED),
    ("- Tiểu học", "", "edu:primary"),
    ("- Trung học cơ sở", "", "edu:lower_secondary"),
    ("- Trung học phổ thông", "", "edu:upper_secondary"),
]
QUALIFICATION = [
    ("- Công nhân kỹ thuật, nhân viên nghiệp vụ, sơ cấp", "", "qual:elementary"),
    ("- Trung cấp", "", "qual:intermediate"),
    ("- Cao đẳng", "", "qual:college"),
    ("- Đại học", "", "qual:university"),
    ("- Thạc sỹ", "", "qual:master"),
    ("- Tiến sỹ", "", "qual:doctor"),
]
TITLES = [("- Phó Giáo sư", "", NOT_RECORDED), ("- Giáo sư", "", NOT_RECORDED)]
THEORY = [
    ("- Sơ cấp", "", "theory:elementary"),
    ("- Trung cấp", "", "theory:intermediate"),
    ("- Cao cấp, cử nhân", "", "theory:advanced"),
]

ROSTER_ROWS = [
    ("I. Đảng viên trong danh sách có đến cuối kỳ báo cáo", "bold", lambda s: s.total),
    ("Trong đó: - Nữ", "", "female"),
    ("- Dự bị", "", "probationary"),
    ("- Dân tộc thiểu số", "", "minority"),
    ("- Người theo tôn giáo", "", "religious"),
    ("- Đoàn viên Đoàn TNCS Hồ Chí Minh", "", "youth_union"),
    ("- Chủ doanh nghiệp tư nhân", "", NOT_RECORDED),
    ("- Có quan hệ hôn nhân với người nước ngoài", "", NOT_RECORDED),
    ("II. Phân tích đội ngũ đảng viên", "bold", HEAD),
    ("1. Nghề nghiệp", "bold", HEAD),
    ("a. Đảng viên đang làm việc và công tác", "bold", "working"),
    *OCCUPATION,
    ("b. Đảng viên đã nghỉ hưu và nghỉ công tác", "bold", "retired"),
    ("Trong đó: Được miễn công tác và sinh hoạt đảng", "italic", "exempt"),
    ("2. Tuổi đời:", "bold", HEAD),
    *AGE,
    ("3. Thời gian kết nạp vào Đảng", "bold", HEAD),
    ("- Trước 19/8/1945", "", "era:before_1945"),
    ("- Từ 19/8/1945 đến 20/7/1954", "", "era:1945_1954"),
    ("- Từ 21/7/1954 đến 30/4/1975", "", "era:1954_1975"),
    ("- Từ 01/5/1975 đến nay", "", "era:since_1975"),
    ("4. Trình độ giáo dục phổ thông", "bold", HEAD),
    *EDUCATION,
    ("5. Trình độ chuyên môn nghiệp vụ", "bold", HEAD),
    *QUALIFICATION,
    ("6. Chức danh khoa học", "bold", HEAD),
    *TITLES,
    ("7. Trình độ lý luận chính trị", "bold", HEAD),
    *THEORY,
]

ADMISSION_ROWS = [
    ("I. Tổng số đảng viên mới kết nạp", "bold", lambda s: s.total),
    ("- Nữ", "", "female"),
    ("- Dân tộc thiểu số", "", "minority"),
    ("- Người theo tôn giáo", "", "religious"),
    ("- Đoàn viên Đoàn TNCS Hồ Chí Minh", "", "youth_union"),
    ("- Chủ doanh nghiệp tư nhân", "", NOT_RECORDED),
    ("- Quần chúng vi phạm chính sách KHHGĐ", "", NOT_RECORDED),
    ("- Có quan hệ hôn nhân với người nước ngoài", "", NOT_RECORDED),
    ("- Kết nạp lại", "", NOT_RECORDED),
    ("II. Phân tích đảng viên mới kết nạp", "bold", HEAD),
    ("1. Nghề nghiệp", "bold", HEAD),
    *OCCUPATION,
    ("2. Tuổi đời:", "bold", HEAD),
    *AGE,
    ("3. Trình độ giáo dục phổ thông", "bold", HEAD),
    *EDUCATION,
    ("4. Trình độ chuyên môn nghiệp vụ", "bold", HEAD),
    *QUALIFICATION,
    ("5. Chức danh khoa học", "bold", HEAD),
    *TITLES,
]


# Biểu 4: the ethnic groups and religions in the form's order and spelling (REPORT_FORMS.md,
# "2B and 4"), two panels of 33 rows side by side. None: a row chibo's lists have no value for.
E = Ethnicity
ETHNIC_ROWS = [
    ("Kinh", E.KINH), ("Tày", E.TAY), ("Thái", E.THAI), ("Hoa", E.HOA), ("Khơ-me", E.KHMER),
    ("Mường", E.MUONG), ("Nùng", E.NUNG), ("Mông", E.HMONG), ("Dao", E.DAO),
    ("Gia lai", E.GIA_RAI), ("Ê-đê", E.E_DE), ("Ngái", E.NGAI), ("Ba-Na", E.BA_NA),
    ("Xơ-Đăng", E.XO_DANG), ("Sán chay", E.SAN_CHAY), ("Cơ Ho", E.CO_HO), ("Chăm", E.CHAM),
    ("Sán Dìu", E.SAN_DIU), ("HRê", E.HRE), ("M.Nông", E.MNONG), ("Raglai", E.RA_GLAI),
    ("XTiêng", E.XTIENG), ("Bru - Vân Kiều", E.BRU_VAN_KIEU), ("Thổ", E.THO), ("Giáy", E.GIAY),
    ("Cơ Tu", E.CO_TU), ("Giẻ Triêng", E.GIE_TRIENG), ("Mạ", E.MA), ("Khơ Mú", E.KHO_MU),
    ("Co", E.CO), ("Tà Ôi", E.TA_OI), ("Chơ - Ro", E.CHO_RO), ("Kháng", E.KHANG),
    ("Xinh Mun", E.XINH_MUN), ("Hà Nhì", E.HA_NHI), ("Chu Ru", E.CHU_RU), ("Lào", E.LAO),
    ("La Chí", E.LA_CHI), ("La Ha", E.LA_HA), ("Phù Lá", E.PHU_LA), ("La Hủ", E.LA_HU),
    ("Lự", E.LU), ("Lô Lô", E.LO_LO), ("Chứt", E.CHUT), ("Mảng", E.MANG), ("Pà Thẻn", E.PA_THEN),
    ("Cơ Lao", E.CO_LAO), ("Cống", E.CONG), ("Bố Y", E.BO_Y), ("Si La", E.SI_LA),
    ("Pu Péo", E.PU_PEO), ("B Râu", E.BRAU), ("Ơ Đu", E.O_DU), ("Rơ - Măm", E.RO_MAM),
    ("Dân tộc khác", None), ("Q.tịch gốc nước ngoài", None),
]  # fmt: skip
RELIGION_ROWS = [
    ("Phật giáo", Religion.BUDDHISM),
    ("Công giáo", Religion.CATHOLICISM),
    ("Phật giáo Hòa Hảo", Religion.HOA_HAO),
    ("Cao Đài", Religion.CAODAISM),
    ("Tin Lành", Religion.PROTESTANTISM),
    ("Hồi giáo", Religion.ISLAM),
    ("Đạo khác", Religion.OTHER),
]
PANEL_ROWS = 33


def _panel_rows(structure) -> list[tuple]:
    """(number, name, total, women, share %, bold) for the 66 places of the two panels. The share
    is each row's part of its group (I: every member; II: members with a religion)."""
    everyone = structure.total
    believers = structure["religious"]
    rows = [("I", "Đảng viên chia theo dân tộc", everyone, structure["female"],
             percent_of(everyone, everyone), True)]  # fmt: skip
    for number, (name, code) in enumerate(ETHNIC_ROWS, start=1):
        if code is None:
            rows.append((number, name, NOT_RECORDED, NOT_RECORDED, NOT_RECORDED, False))
            continue
        total = structure[f"ethnicity:{code}"]
        women = structure[f"ethnicity_female:{code}"]
        rows.append((number, name, total, women, percent_of(total, everyone), False))
    women = sum(structure[f"religion_female:{code}"] for _name, code in RELIGION_ROWS)
    rows.append(
        (
            "II",
            "Đảng viên chia theo tôn giáo",
            believers,
            women,
            percent_of(believers, believers),
            True,
        )
    )
    for number, (name, code) in enumerate(RELIGION_ROWS, start=1):
        total = structure[f"religion:{code}"]
        women = structure[f"religion_female:{code}"]
        rows.append((number, name, total, women, percent_of(total, believers), False))
    rows.append((None, None, None, None, None, False))  # the place beside Chơ - Ro stays empty
    return rows


def _ethnicity_sheet(workbook, *, unit, period, structure, today):
    """Biểu 4: the roll at the period's end by ethnic group and religion, in two panels."""
    widths = [6, 22, 11, 11, 10] * 2
    sheet = FormSheet(workbook, "Biểu 4", widths, freeze="A7")
    sheet.title_block(
        unit=unit,
        title="ĐẢNG VIÊN CHIA THEO DÂN TỘC VÀ TÔN GIÁO",
        when=period_words(period, as_of=True),
        code="Biểu số 4-BTCTW",
        left=2,
        right=2,
    )
    panel = ["TT", "Tên dân tộc, tôn giáo", "Đảng viên chia theo dân tộc, tôn giáo", None,
             "Tỷ lệ (%)"]  # fmt: skip
    sub = [None, None, "Tổng số", "Trong đó: nữ", None]
    merges = []
    for offset in (0, 5):
        merges += [(1, 1 + offset, 2, 1 + offset), (1, 2 + offset, 2, 2 + offset),
                   (1, 3 + offset, 1, 4 + offset), (1, 5 + offset, 2, 5 + offset)]  # fmt: skip
    sheet.header([panel * 2, sub * 2], merges, numbers=["1", "2", "3", "4", "5"] * 2)
    rows = _panel_rows(structure)
    for left, right in zip(rows[:PANEL_ROWS], rows[PANEL_ROWS:], strict=True):
        cells = []
        for number, name, total, women, share, bold in (left, right):
            label = "label_bold" if bold else "label"
            value = "value_bold" if bold else "value"
            cells += [
                sheet.cell(number, label),
                sheet.cell(name, label),
                sheet.cell(total, value),
                sheet.cell(women, value),
                sheet.cell(share, value),
            ]
        sheet.append(cells)
    sheet.note(
        _(
            "Share (%%): each row's part of its group, every member for the ethnic groups and "
            "the members with a religion for the religions."
        )
    )
    sheet.footer(unit, today=today)


def _value(spec, structure):
    if spec is HEAD or spec is NOT_RECORDED:
        return spec
    if callable(spec):
        return spec(structure)
    return structure[spec]


def _rows(specs, this, last):
    return [(label, style, _value(spec, this), _value(spec, last)) for label, style, spec in specs]


def _grassroots_rows(this: dict, last: dict):
    committees, cells = this["committees"], this["cells"]
    last_committees, last_cells = last["committees"], last["cells"]
    return [
        ("III. Số tổ chức cơ sở đảng có đến cuối kỳ báo cáo", "bold", HEAD, HEAD),
        ("1. Đảng bộ cơ sở", "", committees[0], last_committees[0]),
        ("Trong đó: + Có kết nạp đảng viên", "italic", committees[1], last_committees[1]),
        ("+ Không còn quần chúng", "italic", NOT_RECORDED, NOT_RECORDED),
        ("2. Chi bộ cơ sở", "", cells[0], last_cells[0]),
        ("Trong đó: + Có kết nạp đảng viên", "italic", cells[1], last_cells[1]),
        ("+ Không còn quần chúng", "italic", NOT_RECORDED, NOT_RECORDED),
    ]


def build(*, user, unit, period, today: date) -> bytes:
    """Biểu 3 as of the period's end and Biểu 2 over the period, each against a year earlier."""
    last_period = period.last_year()
    roster = member_structure(user=user, unit=unit, day=period.end)
    roster_last = member_structure(user=user, unit=unit, day=last_period.end)
    report = membership_changes(user=user, unit=unit, period=period, by_child=False)
    report_last = membership_changes(user=user, unit=unit, period=last_period, by_child=False)
    admitted = admissions_structure(user=user, unit=unit, period=period, report=report)
    admitted_last = admissions_structure(
        user=user, unit=unit, period=last_period, report=report_last
    )
    grassroots = grassroots_with_admissions(user=user, unit=unit, period=period, report=report)
    grassroots_last = grassroots_with_admissions(
        user=user, unit=unit, period=last_period, report=report_last
    )
    workbook = new_workbook()
    comparison_sheet(
        workbook,
        sheet_title="Biểu 3",
        unit=unit,
        title="ĐỘI NGŨ ĐẢNG VIÊN",
        code="Biểu số 3-BTCTW",
        when=period_words(period, as_of=True),
        rows=_rows(ROSTER_ROWS, roster, roster_last),
        today=today,
        notes=[not_recorded_note()],
    )
    comparison_sheet(
        workbook,
        sheet_title="Biểu 2",
        unit=unit,
        title="ĐẢNG VIÊN MỚI KẾT NẠP",
        code="Biểu số 2-BTCTW",
        when=period_words(period),
        rows=_rows(ADMISSION_ROWS, admitted, admitted_last)
        + _grassroots_rows(grassroots, grassroots_last),
        today=today,
        notes=[not_recorded_note()],
    )
    _ethnicity_sheet(workbook, unit=unit, period=period, structure=roster, today=today)
    return save(workbook)


def name(unit, period) -> str:
    return file_name(FILE_TITLE, unit, period)
