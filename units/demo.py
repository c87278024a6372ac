"""Demo data: the party organisation of Sìn Hồ district (Lai Châu) as of 26/10/2020.

Seed 001 (Báo Lai Châu, 26/10/2020) gives the figures reproduced exactly: 55 grassroots
organisations, of which 22 commune and town committees; 310 subordinate cells; 3,882 members.
Pa Tần commune: 18 cells and 170 members, no cell under 3 members, no white village; the cell of
bản Lồng Thàng founded during the 2015-2020 term. The communes are the real ones of 2020; the
villages, people, dates and numbers are invented but plausible, drawn from a fixed random seed,
so every load gives the same data. No person in the demo is a real person.
"""

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count
from simple_history.utils import bulk_create_with_history

from members.choices import (
    ACTIVE_STATUSES,
    Education,
    Ethnicity,
    MemberStatus,
    Occupation,
    Religion,
    Sex,
    TheoryLevel,
)
from members.models import Member
from units.models import PATH_END, Role, Unit, UnitCategory, UnitKind, Village, VillageKind
from units.services import assignment_create, unit_create
from units.vietnamese import name_sort_key, strip_diacritics

AS_OF = date(2020, 10, 26)  # the seed article's date: the demo shows the district on that day
SEED = 20201026
DEMO_PASSWORD = "chibo-demo-2026"
PROVINCE_CODE = "LCU"
DISTRICT_CODE = "LCU-SHO"
CHIBO_APPS = ("units", "members", "meetings", "reports")

# The figures seed 001 publishes; the build checks them before it commits.
EXPECTED = {"grassroots": 55, "communes": 22, "sub_cells": 310, "members": 3882}
EXPECTED_PA_TAN = {"sub_cells": 18, "members": 170}

E = Ethnicity
OC = Occupation
TH = TheoryLevel
ED = Education

# --- People -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameStyle:
    """How a people names its children: family names, middle names by sex, given names."""

    families: dict
    male_middles: dict
    female_middles: dict
    male_given: tuple
    female_given: tuple


_KINH_MALE = (
    "Hùng", "Dũng", "Tuấn", "Trung", "Thắng", "Cường", "Hải", "Sơn", "Long", "Đức", "Hiếu",
    "Tâm", "Quân", "Thành", "Việt", "Khánh", "Nam", "Phong", "Toàn", "Tùng", "Anh", "Bình",
    "Chiến", "Định", "Giang", "Huy", "Kiên", "Lâm", "Mạnh", "Nghĩa", "Phúc", "Quang", "Thái",
    "Thịnh", "Trường", "Vinh", "Vượng", "Đạt", "Hưng", "Lợi",
)  # fmt: skip
_KINH_FEMALE = (
    "Hương", "Hà", "Lan", "Hằng", "Thảo", "Hoa", "Huyền", "Trang", "Nga", "Oanh", "Thủy",
    "Yến", "Liên", "Nhung", "Phương", "Mai", "Anh", "Ánh", "Bích", "Dung", "Giang", "Hạnh",
    "Hiền", "Hồng", "Loan", "Ly", "Ngọc", "Quyên", "Tâm", "Thúy", "Vân", "Duyên",
)  # fmt: skip
_THAI_MALE = (
    "Phương", "Thanh", "Xuân", "Sơn", "Hùng", "Inh", "Chiến", "Dũng", "Hải", "Khăm", "Lả",
    "Lún", "Nhất", "Ơn", "Panh", "Pâng", "Phanh", "Quyết", "Sáng", "Tiến", "Thoan", "Ún",
    "Xiêng", "Cương", "Minh", "Thắng", "Hặc", "Piếng", "Ngọc", "Tuấn", "Hiếu", "Chung", "Kim",
    "Hom", "Tâm", "Bình", "Quý", "Toản", "Thiết", "Hoan", "Bun", "Ngoan", "Hường",
)  # fmt: skip
_THAI_FEMALE = (
    "Ánh", "Bun", "Chiêm", "Dung", "Dương", "Hoa", "Hương", "Khuyên", "Lan", "Mai", "Nga",
    "Ngoan", "Nhung", "Phong", "Thảo", "Thu", "Tiên", "Ún", "Vân", "Xuân", "Yến", "Ẻng",
    "Pánh", "Ọn", "Inh", "Ngân", "Thơm", "Hiền", "Huyền", "Liên", "Oanh", "Sương",
)  # fmt: skip

# fmt: off
NAME_STYLES = {
    E.KINH: NameStyle(
        families={
            "Nguyễn": 30, "Trần": 10, "Lê": 9, "Phạm": 8, "Hoàng": 6, "Đặng": 6, "Vũ": 6,
            "Bùi": 5, "Đỗ": 5, "Ngô": 4, "Đinh": 3, "Dương": 3, "Đào": 3, "Lương": 2, "Tạ": 2,
            "Mai": 2,
        },
        male_middles={
            "Văn": 35, "Đức": 12, "Minh": 10, "Quang": 8, "Hữu": 8, "Xuân": 6, "Ngọc": 5,
            "Thanh": 6, "Mạnh": 4, "Trọng": 4, "Công": 4, "Tiến": 3,
        },
        female_middles={
            "Thị": 55, "Thị Thu": 6, "Thị Thanh": 5, "Thị Hồng": 4, "Thu": 6, "Thanh": 6,
            "Ngọc": 5, "Hồng": 5, "Minh": 4, "Kim": 4,
        },
        male_given=_KINH_MALE,
        female_given=_KINH_FEMALE,
    ),
    E.THAI: NameStyle(
        families={
            "Lò": 25, "Lường": 15, "Quàng": 12, "Tòng": 10, "Lù": 10, "Điêu": 8, "Cầm": 8,
            "Hoàng": 6, "Vì": 3,
        },
        male_middles={"Văn": 100},
        female_middles={"Thị": 100},
        male_given=_THAI_MALE,
        female_given=_THAI_FEMALE,
    ),
    E.HMONG: NameStyle(
        families={
            "Giàng": 14, "Vàng": 14, "Sùng": 10, "Thào": 10, "Mùa": 8, "Lý": 8, "Hạng": 6,
            "Vừ": 6, "Lầu": 5, "Tráng": 5, "Sình": 4, "Chang": 4, "Hầu": 4, "Lồ": 3, "Cứ": 2,
        },
        male_middles={"A": 75, "Văn": 15, "Seo": 10},
        female_middles={"Thị": 100},
        male_given=(
            "Páo", "Chứ", "Dìa", "Sềnh", "Lử", "Tủa", "Khua", "Chư", "Vảng", "Pó", "Sính", "Dế",
            "Chá", "Lềnh", "Thái", "Dơ", "Súa", "Nhè", "Tú", "Của", "Lếnh", "Sử", "Phủ", "Dình",
            "Cở", "Sày", "Chống", "Giáo", "Pao", "Sì", "Thề", "Tùng", "Vư", "Xá", "Mang", "Sáng",
            "Dùa", "Lâu",
        ),
        female_given=(
            "Mỷ", "Dế", "Pàng", "Sua", "Lỳ", "Chở", "Vá", "Sò", "Cở", "Mai", "Say", "Xúa", "Dua",
            "Ly", "Dở", "Nhìa", "Nu", "Mỉ", "Pa", "Sở", "Dí", "Dợ", "Chía", "Mẩy", "Xé", "Phềnh",
        ),
    ),
    E.DAO: NameStyle(
        families={
            "Tẩn": 20, "Phàn": 18, "Chảo": 16, "Đặng": 14, "Lý": 12, "Triệu": 8, "Bàn": 6,
            "Sần": 3,
        },
        male_middles={"Văn": 45, "Láo": 35, "A": 10, "Kim": 10},
        female_middles={"Thị": 60, "Tả": 25, "Mẩy": 15},
        male_given=(
            "Sài", "Lở", "Chiêu", "Lâm", "Phẩu", "Vần", "Quẩy", "Khé", "Kinh", "Phin", "Chòi",
            "Sành", "Táo", "Chản", "Lai", "San", "Dùn", "Khao", "Phây", "Lìn", "Tả", "Diu",
            "Chài", "Sinh",
        ),
        female_given=(
            "Mẩy", "Pham", "Hoa", "Duần", "Chài", "Mây", "Si", "Chiêm", "Nhàn", "Lở", "Khé",
            "Dính", "Sai", "Xuân", "Hà", "Phù",
        ),
    ),
    E.KHO_MU: NameStyle(
        families={"Lò": 30, "Vì": 20, "Quàng": 15, "Lường": 15, "Cà": 12, "Lù": 8},
        male_middles={"Văn": 100},
        female_middles={"Thị": 100},
        male_given=(
            "Tịnh", "Thâng", "Dinh", "Ín", "Phăn", "Ọi", "Kếnh", "Xuân", "Thương", "Hom", "Puốn",
            "Chăn", "Nhọt", "Lả", "Hăm", "Pọm", "Xiêng", "Phong", "Tường", "Hùng",
        ),
        female_given=(
            "Ín", "Đôi", "Phóng", "Xuân", "Ọi", "Kham", "Hiên", "Lả", "Hom", "Thương", "Hoa",
        ),
    ),
    E.LU: NameStyle(
        families={"Lò": 30, "Tao": 20, "Chang": 15, "Đèo": 15, "Lường": 10, "Quàng": 10},
        male_middles={"Văn": 100},
        female_middles={"Thị": 100},
        male_given=_THAI_MALE,
        female_given=_THAI_FEMALE,
    ),
    E.HA_NHI: NameStyle(
        families={"Lý": 25, "Pờ": 20, "Chu": 20, "Phù": 15, "Sừ": 10, "Lỳ": 10},
        male_middles={"Hừ": 40, "Gạ": 30, "Xá": 30},
        female_middles={"Thị": 70, "Mó": 30},
        male_given=("Gió", "Xá", "Phì", "Chừ", "Pa", "Lù", "Sừ", "Mé", "Giá", "Xe", "Hờ"),
        female_given=("Mé", "Pà", "Chừ", "Xí", "Gó", "Pé", "Xe", "Mỳ"),
    ),
    E.TAY: NameStyle(
        families={"Hoàng": 25, "Nông": 20, "Lương": 15, "Hà": 15, "Ma": 10, "Hứa": 10, "Lục": 5},
        male_middles={"Văn": 80, "Đức": 20},
        female_middles={"Thị": 100},
        male_given=_KINH_MALE,
        female_given=_KINH_FEMALE,
    ),
    E.MUONG: NameStyle(
        families={"Bùi": 40, "Đinh": 25, "Quách": 15, "Hà": 15, "Xa": 5},
        male_middles={"Văn": 100},
        female_middles={"Thị": 100},
        male_given=_KINH_MALE,
        female_given=_KINH_FEMALE,
    ),
}
# fmt: on

# Ethnic mixes of members outside the communes' villages.
DISTRICT_MIX = {
    E.KINH: 34, E.THAI: 28, E.HMONG: 16, E.DAO: 10, E.KHO_MU: 3, E.LU: 2, E.TAY: 3,
    E.MUONG: 2, E.HA_NHI: 2,
}  # fmt: skip
TOWN_MIX = {E.KINH: 38, E.THAI: 22, E.HMONG: 22, E.DAO: 12, E.TAY: 3, E.MUONG: 3}

SIN_HO = "huyện Sìn Hồ, tỉnh Lai Châu"
LAI_CHAU_DISTRICTS = (
    "huyện Phong Thổ", "huyện Tam Đường", "huyện Mường Tè", "huyện Nậm Nhùn",
    "huyện Than Uyên", "huyện Tân Uyên", "thành phố Lai Châu",
)  # fmt: skip
# Hometowns of members who came up from the delta or elsewhere, with the province's code in
# citizen ID numbers (Thông tư 07/2016/TT-BCA).
LOWLAND_HOMETOWNS = {
    E.KINH: (
        ("huyện Giao Thủy, tỉnh Nam Định", "036"), ("huyện Hải Hậu, tỉnh Nam Định", "036"),
        ("huyện Ý Yên, tỉnh Nam Định", "036"), ("huyện Vũ Thư, tỉnh Thái Bình", "034"),
        ("huyện Kiến Xương, tỉnh Thái Bình", "034"), ("huyện Lâm Thao, tỉnh Phú Thọ", "025"),
        ("huyện Thanh Ba, tỉnh Phú Thọ", "025"), ("huyện Kim Sơn, tỉnh Ninh Bình", "037"),
        ("huyện Tiên Lữ, tỉnh Hưng Yên", "033"), ("huyện Hoằng Hóa, tỉnh Thanh Hóa", "038"),
        ("huyện Văn Chấn, tỉnh Yên Bái", "015"), ("huyện Bảo Thắng, tỉnh Lào Cai", "010"),
        ("huyện Tuần Giáo, tỉnh Điện Biên", "011"), ("huyện Tam Đường, tỉnh Lai Châu", "012"),
        ("thành phố Lai Châu, tỉnh Lai Châu", "012"), ("huyện Sìn Hồ, tỉnh Lai Châu", "012"),
    ),
    E.TAY: (
        ("huyện Văn Yên, tỉnh Yên Bái", "015"), ("huyện Bảo Yên, tỉnh Lào Cai", "010"),
        ("huyện Than Uyên, tỉnh Lai Châu", "012"),
    ),
    E.MUONG: (
        ("huyện Tân Sơn, tỉnh Phú Thọ", "025"), ("huyện Cao Phong, tỉnh Hòa Bình", "017"),
        ("huyện Tân Uyên, tỉnh Lai Châu", "012"),
    ),
}  # fmt: skip
LAI_CHAU_ID = "012"
PHONE_PREFIXES = (
    "91", "94", "98", "97", "96", "86", "88", "89", "90", "93", "70", "79", "77", "76", "78",
    "83", "84", "85", "81", "82", "32", "33", "34", "35", "36", "37", "38", "39",
)  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """What the members of a kind of cell are like: age range, share of women, occupations."""

    ages: tuple[int, int]
    female: float
    occupations: dict
    theory: dict
    probationary: float = 0.06


PROFILES = {
    # Village and residential cells have their own rules for age, occupation and theory.
    "village": Profile((21, 85), 0.21, {}, {}, probationary=0.1),
    "town": Profile((24, 85), 0.36, {}, {}, probationary=0.03),
    "commune_police": Profile(
        (22, 45), 0.1, {OC.POLICE: 100}, {TH.ELEMENTARY: 55, TH.INTERMEDIATE: 45}
    ),
    "commune_military": Profile(
        (25, 52), 0.05, {OC.CIVIL_SERVANT: 100}, {TH.ELEMENTARY: 60, TH.INTERMEDIATE: 40}
    ),
    "commune_agency": Profile(
        (25, 58),
        0.32,
        {OC.CIVIL_SERVANT: 75, OC.PUBLIC_EMPLOYEE: 25},
        {TH.ELEMENTARY: 30, TH.INTERMEDIATE: 65, TH.ADVANCED: 5},
    ),
    "school": Profile(
        (23, 57),
        0.6,
        {OC.TEACHER: 85, OC.PUBLIC_EMPLOYEE: 15},
        {TH.NONE: 10, TH.ELEMENTARY: 70, TH.INTERMEDIATE: 20},
        probationary=0.07,
    ),
    "police": Profile(
        (22, 55), 0.12, {OC.POLICE: 100}, {TH.ELEMENTARY: 30, TH.INTERMEDIATE: 55, TH.ADVANCED: 15}
    ),
    "army": Profile(
        (22, 52), 0.06, {OC.ARMY: 100}, {TH.ELEMENTARY: 25, TH.INTERMEDIATE: 60, TH.ADVANCED: 15}
    ),
    "civil": Profile(
        (24, 59),
        0.36,
        {OC.CIVIL_SERVANT: 85, OC.PUBLIC_EMPLOYEE: 15},
        {TH.ELEMENTARY: 20, TH.INTERMEDIATE: 55, TH.ADVANCED: 20, TH.BACHELOR: 5},
    ),
    "public": Profile(
        (24, 59),
        0.4,
        {OC.PUBLIC_EMPLOYEE: 90, OC.CIVIL_SERVANT: 10},
        {TH.NONE: 5, TH.ELEMENTARY: 55, TH.INTERMEDIATE: 40},
    ),
    "teacher": Profile(
        (24, 58),
        0.55,
        {OC.TEACHER: 90, OC.PUBLIC_EMPLOYEE: 10},
        {TH.ELEMENTARY: 55, TH.INTERMEDIATE: 40, TH.ADVANCED: 5},
    ),
    "health": Profile(
        (24, 58),
        0.56,
        {OC.PUBLIC_EMPLOYEE: 100},
        {TH.NONE: 10, TH.ELEMENTARY: 60, TH.INTERMEDIATE: 30},
    ),
    "enterprise": Profile(
        (24, 58),
        0.36,
        {OC.ENTERPRISE: 100},
        {TH.NONE: 20, TH.ELEMENTARY: 55, TH.INTERMEDIATE: 25},
    ),
}

FORMER_SHARE = 0.045  # members who left the rolls, kept for the record, per active member
FORMER_STATUSES = {
    MemberStatus.DECEASED: 50,
    MemberStatus.TRANSFERRED_OUT: 28,
    MemberStatus.REMOVED: 12,
    MemberStatus.RESIGNED: 6,
    MemberStatus.EXPELLED: 4,
}


@dataclass(frozen=True)
class Anchor:
    """A member placed on purpose (the secretary the demo logs in as, search examples)."""

    full_name: str
    ethnicity: str
    sex: str
    age: int


# The first members of these cells; search tests look for "Lò Văn", "Giàng A" and "Đặng".
ANCHORS = {
    "Chi bộ bản Lồng Thàng": (Anchor("Giàng A Páo", E.HMONG, Sex.MALE, 41),),
    "Chi bộ bản Pa Tần": (Anchor("Lò Văn Xuân", E.THAI, Sex.MALE, 52),),
    "Chi bộ Trường PTDTBT THCS Pa Tần": (Anchor("Đặng Thị Thu Hà", E.KINH, Sex.FEMALE, 38),),
}

# --- Communes and villages -----------------------------------------------------------------

_THAI_FIRST = (
    "Nà", "Huổi", "Nậm", "Pá", "Phiêng", "Co", "Hua", "Bó", "Noong", "Xá", "Pa", "Hô", "Pắc",
    "Tà", "Hát", "Na", "Pú", "Khá", "Mường", "Phai",
)  # fmt: skip
_THAI_SECOND = (
    "Mạ", "Cuổi", "Sái", "Lẹ", "Tăm", "Ún", "Pè", "Hỏm", "Lỏm", "Chăn", "Cha", "Pản", "Bon",
    "Hăn", "Khương", "Ngập", "Pổ", "Chạ", "Mu", "Cáy", "Lụ", "Xuân", "Sọt", "Vai", "Nưa", "Củm",
    "Phày", "Lay", "Tát", "Khoang", "Tong", "Vạc", "Nhạt", "Hằn", "Pục", "Ten", "Hin", "Đông",
    "Kẹ", "Mớ", "Sẳng", "Cưởm", "Pẻn", "Lọng", "Chản", "Muông", "Hiềng", "Cang", "Dạ", "Xe",
)  # fmt: skip
_HMONG_FIRST = (
    "Sin", "Tả", "Phìn", "Sà", "Sáng", "Xà", "Chù", "Sì", "Ma", "Seo", "Lao", "Hồng", "Thèn",
    "Chang", "Lùng", "Nhiều", "Pờ", "Páo", "Háng", "Tìa", "Can", "Khoa", "Làng", "Tủa", "Mào",
    "Lử", "Cang", "Hồ",
)  # fmt: skip
_HMONG_SECOND = (
    "Chải", "Phìn", "Hồ", "Tủng", "Dề", "Lìn", "Choang", "Sì", "Ngài", "Pả", "Thàng", "San",
    "Sang", "Mô", "Pho", "Pao", "Dền", "Chứ", "Cáo", "Sử", "Lồ", "Tra", "Khấu", "Chá", "Khò",
    "Tìn", "Lẩu", "Chồ", "Sảng", "Ván", "Chu", "Hấu", "Chư", "Pin", "Dào", "Xìn", "Giàng", "Sung",
)  # fmt: skip
_THAI_STYLE = (E.THAI, E.LU, E.KHO_MU)


@dataclass(frozen=True)
class CommuneSpec:
    """One commune or town: its villages, special cells and members as the demo shows them."""

    name: str
    mix: dict  # ethnic make-up of its villagers
    members: int  # active members, all cells together
    villages: int  # villages in all (named plus generated)
    named: tuple = ()  # (village name, ethnicity) pairs known by name
    combined: tuple = ()  # sizes of the combined cells (chi bộ ghép), taken from the end
    uncovered: int = 0  # villages no cell covers (the last ones)
    white: int = 0  # of which nobody on the rolls lives there (bản trắng)
    police: bool = False
    military: bool = False
    agency: bool = False
    schools: tuple = ()
    small: tuple = ()  # village cells kept small (4-6 members)
    weak: int = 0  # cells of 3 members of whom only 2 are full: below the statute's minimum
    town: bool = False
    founded: dict = field(default_factory=dict)  # cell name -> founding date

    @property
    def place(self) -> str:
        return f"thị trấn {self.name}" if self.town else f"xã {self.name}"


# fmt: off
COMMUNES = (
    CommuneSpec(
        "Sìn Hồ",
        TOWN_MIX,
        members=236,
        villages=8,
        named=tuple((f"Khu phố {i}", None) for i in range(1, 7)),
        agency=True,
        schools=("Mầm non", "Tiểu học", "THCS"),
        town=True,
    ),
    CommuneSpec(
        "Pa Tần",
        {E.THAI: 45, E.HMONG: 35, E.KHO_MU: 12, E.KINH: 4, E.DAO: 4},
        members=170,
        villages=17,
        named=(
            ("Bản Pa Tần", E.THAI), ("Bản Nậm Ngập", E.THAI), ("Bản Huổi Chạ", E.THAI),
            ("Bản Nậm Pổ", E.KHO_MU), ("Bản Lồng Thàng", E.HMONG), ("Bản Huổi Cuổng", E.THAI),
            ("Bản Pá Hạ", E.THAI), ("Bản Nậm Khăn", E.KHO_MU), ("Bản Phìn Khò", E.HMONG),
            ("Bản Sáng Tủng", E.HMONG), ("Bản Chang Pá", E.HMONG), ("Bản Huổi Pha", E.THAI),
            ("Bản Nà Cang", E.THAI), ("Bản Tà Pao", E.THAI), ("Bản Nậm Ty", E.THAI),
            ("Bản Pa Cuông", E.HMONG), ("Bản Nhiều Sáng", E.HMONG),
        ),
        combined=(2, 2),
        police=True,
        schools=("PTDTBT Tiểu học", "PTDTBT THCS"),
        # "tập trung vào 6 chi bộ ít đảng viên" (seed 001)
        small=(
            "Bản Lồng Thàng", "Bản Phìn Khò", "Bản Sáng Tủng", "Bản Chang Pá", "Bản Nậm Khăn",
            "Bản Pá Hạ",
        ),
        # "thành lập mới 1 chi bộ bản (bản Lồng Thàng, xã Pa Tần)" in 2015-2020 (seed 001)
        founded={"Chi bộ bản Lồng Thàng": date(2018, 5, 19)},
    ),
    CommuneSpec(
        "Căn Co",
        {E.THAI: 55, E.HMONG: 30, E.KHO_MU: 10, E.KINH: 5},
        members=115,
        villages=9,
        combined=(2,),
        schools=("Mầm non", "PTDTBT Tiểu học và THCS"),
    ),
    CommuneSpec(
        "Chăn Nưa",
        {E.THAI: 60, E.KINH: 20, E.HMONG: 15, E.KHO_MU: 5},
        members=185,
        villages=12,
        police=True,
        military=True,
        agency=True,
        schools=("Tiểu học", "THCS"),
    ),
    CommuneSpec(
        "Hồng Thu",
        {E.HMONG: 70, E.DAO: 25, E.KINH: 5},
        members=140,
        villages=11,
        combined=(2,),
        uncovered=1,
        agency=True,
        schools=("PTDTBT Tiểu học và THCS",),
    ),
    CommuneSpec(
        "Làng Mô",
        {E.HMONG: 70, E.DAO: 25, E.KINH: 5},
        members=127,
        villages=10,
        combined=(2,),
        police=True,
        schools=("Mầm non", "PTDTBT THCS"),
    ),
    CommuneSpec(
        "Lùng Thàng",
        {E.HMONG: 80, E.DAO: 15, E.KINH: 5},
        members=86,
        villages=9,
        combined=(3,),
        uncovered=1,
        white=1,
        schools=("PTDTBT Tiểu học và THCS",),
        weak=1,
    ),
    CommuneSpec(
        "Ma Quai",
        {E.THAI: 35, E.HMONG: 35, E.DAO: 25, E.KINH: 5},
        members=198,
        villages=13,
        combined=(2,),
        police=True,
        military=True,
        agency=True,
        schools=("Tiểu học", "THCS"),
    ),
    CommuneSpec(
        "Nậm Cha",
        {E.THAI: 55, E.HMONG: 35, E.KINH: 10},
        members=148,
        villages=11,
        police=True,
        agency=True,
        schools=("PTDTBT Tiểu học và THCS",),
    ),
    CommuneSpec(
        "Nậm Cuổi",
        {E.THAI: 50, E.HMONG: 30, E.KHO_MU: 15, E.KINH: 5},
        members=195,
        villages=14,
        combined=(2,),
        police=True,
        schools=("PTDTBT Tiểu học", "PTDTBT THCS"),
    ),
    CommuneSpec(
        "Nậm Hăn",
        {E.THAI: 55, E.HMONG: 35, E.KINH: 10},
        members=146,
        villages=13,
        combined=(2, 2),
        agency=True,
        schools=("Tiểu học", "PTDTBT THCS"),
    ),
    CommuneSpec(
        "Nậm Mạ",
        {E.THAI: 70, E.KHO_MU: 20, E.KINH: 10},
        members=119,
        villages=8,
        agency=True,
        schools=("Tiểu học và THCS",),
    ),
    CommuneSpec(
        "Nậm Tăm",
        {E.THAI: 50, E.LU: 20, E.HMONG: 15, E.KINH: 15},
        members=190,
        villages=14,
        police=True,
        agency=True,
        schools=("Tiểu học", "THCS"),
    ),
    CommuneSpec(
        "Noong Hẻo",
        {E.THAI: 55, E.LU: 20, E.KINH: 15, E.HMONG: 10},
        members=192,
        villages=15,
        combined=(2,),
        police=True,
        agency=True,
        schools=("Tiểu học", "THCS"),
    ),
    CommuneSpec(
        "Pa Khóa",
        {E.DAO: 50, E.HMONG: 45, E.KINH: 5},
        members=95,
        villages=8,
        combined=(2,),
        schools=("PTDTBT Tiểu học và THCS",),
        weak=1,
    ),
    CommuneSpec(
        "Phăng Sô Lin",
        {E.HMONG: 65, E.DAO: 30, E.KINH: 5},
        members=120,
        villages=9,
        combined=(2,),
        uncovered=1,
        agency=True,
        schools=("PTDTBT Tiểu học và THCS",),
    ),
    CommuneSpec(
        "Phìn Hồ",
        {E.HMONG: 60, E.DAO: 35, E.KINH: 5},
        members=97,
        villages=8,
        schools=("PTDTBT Tiểu học và THCS",),
    ),
    CommuneSpec(
        "Pu Sam Cáp",
        {E.DAO: 45, E.HMONG: 35, E.KHO_MU: 15, E.KINH: 5},
        members=111,
        villages=10,
        combined=(2,),
        uncovered=1,
        police=True,
        schools=("PTDTBT Tiểu học và THCS",),
    ),
    CommuneSpec(
        "Sà Dề Phìn",
        {E.HMONG: 70, E.DAO: 25, E.KINH: 5},
        members=126,
        villages=9,
        combined=(2,),
        agency=True,
        schools=("PTDTBT Tiểu học và THCS",),
    ),
    CommuneSpec(
        "Tả Ngảo",
        {E.HMONG: 70, E.DAO: 25, E.KINH: 5},
        members=193,
        villages=11,
        police=True,
        schools=("Mầm non", "PTDTBT Tiểu học và THCS"),
    ),
    CommuneSpec(
        "Tả Phìn",
        {E.HMONG: 75, E.DAO: 20, E.KINH: 5},
        members=137,
        villages=10,
        combined=(2,),
        agency=True,
        schools=("PTDTBT Tiểu học và THCS",),
    ),
    CommuneSpec(
        "Tủa Sín Chải",
        {E.HMONG: 75, E.DAO: 20, E.KINH: 5},
        members=153,
        villages=12,
        combined=(2,),
        uncovered=1,
        white=1,
        police=True,
        schools=("Mầm non", "PTDTBT Tiểu học và THCS"),
    ),
)
# fmt: on
# Communes around the town, where district staff also live.
NEAR_TOWN = ("Tả Phìn", "Sà Dề Phìn", "Phìn Hồ", "Tả Ngảo")
# Commune police cells were founded as regular police took over the communes (2019-2020).
POLICE_CELLS_FROM = date(2019, 9, 1)

# --- District-level organisations ----------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    """A base committee (with cells, maybe through a sub-committee) or a base cell."""

    name: str
    code: str
    category: str
    profile: str
    members: int = 0  # a base cell's members
    cells: tuple = ()  # a base committee's (cell name, members)
    partial: tuple = ()  # (sub-committee name, ((cell name, members), ...))


CAT = UnitCategory
# fmt: off
BASE_COMMITTEES = (
    OrgSpec(
        "Đảng bộ Công an huyện",
        "SHO-CA",
        CAT.POLICE,
        "police",
        cells=(
            ("Chi bộ Tham mưu - Tổng hợp", 17), ("Chi bộ An ninh", 15),
            ("Chi bộ Cảnh sát điều tra", 16),
            ("Chi bộ Cảnh sát quản lý hành chính về trật tự xã hội", 14),
            ("Chi bộ Cảnh sát giao thông - Cơ động", 18), ("Chi bộ Hậu cần - Kỹ thuật", 13),
        ),
    ),
    OrgSpec(
        "Đảng bộ Quân sự huyện",
        "SHO-QS",
        CAT.MILITARY,
        "army",
        cells=(
            ("Chi bộ Chỉ huy", 11), ("Chi bộ Tham mưu", 10),
            ("Chi bộ Chính trị - Hậu cần - Kỹ thuật", 12), ("Chi bộ Trung đội Thông tin", 9),
        ),
    ),
    OrgSpec(
        "Đảng bộ Cơ quan chính quyền huyện",
        "SHO-CQCQ",
        CAT.AGENCY,
        "civil",
        cells=(
            ("Chi bộ Văn phòng HĐND và UBND huyện", 14),
            ("Chi bộ Phòng Tài chính - Kế hoạch", 10), ("Chi bộ Phòng Nội vụ", 8),
            ("Chi bộ Phòng Giáo dục và Đào tạo", 12),
            ("Chi bộ Phòng Nông nghiệp và Phát triển nông thôn", 10),
            ("Chi bộ Phòng Tài nguyên và Môi trường", 9),
            ("Chi bộ Phòng Lao động - Thương binh và Xã hội", 8),
            ("Chi bộ Phòng Kinh tế - Hạ tầng", 9), ("Chi bộ Phòng Văn hóa và Thông tin", 7),
            ("Chi bộ Thanh tra - Tư pháp - Dân tộc", 7),
        ),
    ),
    OrgSpec(
        "Đảng bộ Cơ quan Đảng huyện",
        "SHO-CQD",
        CAT.AGENCY,
        "civil",
        cells=(
            ("Chi bộ Văn phòng Huyện ủy", 12), ("Chi bộ Ban Tổ chức Huyện ủy", 9),
            ("Chi bộ Ủy ban Kiểm tra Huyện ủy", 7),
            ("Chi bộ Ban Tuyên giáo - Ban Dân vận Huyện ủy", 10),
        ),
    ),
    OrgSpec(
        "Đảng bộ Cơ quan Mặt trận và các đoàn thể huyện",
        "SHO-MTDT",
        CAT.AGENCY,
        "civil",
        cells=(
            ("Chi bộ Ủy ban Mặt trận Tổ quốc huyện", 9),
            ("Chi bộ Hội Nông dân - Hội Cựu chiến binh huyện", 11),
            ("Chi bộ Huyện đoàn - Hội Liên hiệp Phụ nữ huyện", 12),
        ),
    ),
    OrgSpec(
        "Đảng bộ Trung tâm Y tế huyện",
        "SHO-TTYT",
        CAT.AGENCY,
        "health",
        cells=(
            ("Chi bộ Hành chính - Tổ chức", 10), ("Chi bộ Y tế dự phòng - Dân số", 9),
            ("Chi bộ Phòng khám đa khoa khu vực Nậm Tăm", 8),
        ),
        partial=(
            "Đảng bộ bộ phận Bệnh viện đa khoa huyện",
            (("Chi bộ Khối Lâm sàng", 16), ("Chi bộ Khối Cận lâm sàng - Dược", 12)),
        ),
    ),
)
# fmt: on
BASE_CELLS = (
    OrgSpec("Chi bộ Trường THPT Sìn Hồ", "SHO-THPTSH", CAT.SCHOOL, "teacher", 22),
    OrgSpec("Chi bộ Trường THPT Nậm Tăm", "SHO-THPTNT", CAT.SCHOOL, "teacher", 18),
    OrgSpec(
        "Chi bộ Trường PTDTNT THCS và THPT huyện Sìn Hồ", "SHO-PTDTNT", CAT.SCHOOL, "teacher", 26
    ),
    OrgSpec(
        "Chi bộ Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện",
        "SHO-GDNN",
        CAT.SCHOOL,
        "teacher",
        9,
    ),
    OrgSpec("Chi bộ Viện Kiểm sát nhân dân huyện", "SHO-VKS", CAT.AGENCY, "civil", 9),
    OrgSpec("Chi bộ Tòa án nhân dân huyện", "SHO-TA", CAT.AGENCY, "civil", 8),
    OrgSpec("Chi bộ Chi cục Thi hành án dân sự huyện", "SHO-THA", CAT.AGENCY, "civil", 6),
    OrgSpec("Chi bộ Chi cục Thuế huyện", "SHO-THUE", CAT.AGENCY, "civil", 10),
    OrgSpec("Chi bộ Kho bạc Nhà nước huyện", "SHO-KBNN", CAT.AGENCY, "civil", 7),
    OrgSpec("Chi bộ Bảo hiểm xã hội huyện", "SHO-BHXH", CAT.AGENCY, "public", 8),
    OrgSpec("Chi bộ Chi cục Thống kê huyện", "SHO-TK", CAT.AGENCY, "civil", 4),
    OrgSpec("Chi bộ Hạt Kiểm lâm huyện", "SHO-KL", CAT.AGENCY, "civil", 14),
    OrgSpec("Chi bộ Ban Quản lý rừng phòng hộ huyện", "SHO-RPH", CAT.AGENCY, "public", 9),
    OrgSpec(
        "Chi bộ Trung tâm Văn hóa - Thể thao và Truyền thông huyện",
        "SHO-VHTT",
        CAT.AGENCY,
        "public",
        11,
    ),
    OrgSpec("Chi bộ Trung tâm Dịch vụ nông nghiệp huyện", "SHO-DVNN", CAT.AGENCY, "public", 12),
    OrgSpec("Chi bộ Ban Quản lý dự án đầu tư xây dựng huyện", "SHO-QLDA", CAT.AGENCY, "public", 8),
    OrgSpec("Chi bộ Trung tâm Bồi dưỡng chính trị huyện", "SHO-BDCT", CAT.AGENCY, "civil", 6),
    OrgSpec(
        "Chi bộ Chi nhánh Văn phòng Đăng ký đất đai huyện", "SHO-DKDD", CAT.AGENCY, "public", 5
    ),
    OrgSpec("Chi bộ Trung tâm Phát triển quỹ đất huyện", "SHO-PTQD", CAT.AGENCY, "public", 4),
    OrgSpec("Chi bộ Đội Quản lý thị trường số 4", "SHO-QLTT", CAT.AGENCY, "civil", 5),
    OrgSpec(
        "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn huyện",
        "SHO-AGR",
        CAT.ENTERPRISE,
        "enterprise",
        12,
    ),
    OrgSpec(
        "Chi bộ Phòng Giao dịch Ngân hàng Chính sách xã hội huyện",
        "SHO-NHCS",
        CAT.ENTERPRISE,
        "enterprise",
        7,
    ),
    OrgSpec("Chi bộ Điện lực Sìn Hồ", "SHO-DL", CAT.ENTERPRISE, "enterprise", 10),
    OrgSpec("Chi bộ Bưu điện huyện", "SHO-BD", CAT.ENTERPRISE, "enterprise", 5),
    OrgSpec("Chi bộ Viettel Sìn Hồ", "SHO-VT", CAT.ENTERPRISE, "enterprise", 4),
    OrgSpec("Chi bộ Hạt Quản lý đường bộ Sìn Hồ", "SHO-QLDB", CAT.ENTERPRISE, "enterprise", 6),
    OrgSpec("Chi bộ Chi nhánh Cấp nước Sìn Hồ", "SHO-CN", CAT.ENTERPRISE, "enterprise", 4),
)

# --- Demo users ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    unit: str | None  # the unit the role is over; None for the superuser
    role: str | None
    description: str  # shown to the person trying the demo


DEMO_LOGINS = (
    DemoLogin("quantri", "Quản trị hệ thống", None, None, "Quản trị hệ thống, toàn quyền"),
    DemoLogin(
        "huyen_admin",
        "Nguyễn Thị Thu Hằng",
        "Huyện ủy Sìn Hồ",
        Role.ADMIN,
        "Quản trị (Ban Tổ chức Huyện ủy): cây tổ chức, đảng viên, phân quyền",
    ),
    DemoLogin(
        "lanhdao",
        "Tòng Văn Thanh",
        "Huyện ủy Sìn Hồ",
        Role.VIEWER,
        "Lãnh đạo (Thường trực Huyện ủy): chỉ xem số liệu",
    ),
    DemoLogin(
        "xa_patan",
        "Lường Thị Ngoan",
        "Đảng bộ xã Pa Tần",
        Role.STAFF,
        "Cán bộ Văn phòng Đảng ủy xã: nhập, sửa dữ liệu của xã",
    ),
    DemoLogin(
        "bithu_longthang",
        "Giàng A Páo",
        "Chi bộ bản Lồng Thàng",
        Role.SECRETARY,
        "Bí thư chi bộ: đảng viên, sinh hoạt của chi bộ mình",
    ),
)
DEMO_USERNAMES = tuple(login.username for login in DEMO_LOGINS)

# --- Building ------------------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _without_prefix(village_name: str) -> str:
    for prefix in ("Bản ", "Thôn ", "Khu phố ", "Tổ dân phố "):
        if village_name.startswith(prefix):
            return village_name[len(prefix) :]
    return village_name


def _village_kind(village_name: str) -> str:
    if village_name.startswith(("Khu phố ", "Tổ dân phố ")):
        return VillageKind.RESIDENTIAL_GROUP
    if village_name.startswith("Thôn "):
        return VillageKind.VILLAGE
    return VillageKind.HAMLET


def _split(total: int, weights: list[float], minimum: int) -> list[int]:
    """Share `total` out by `weights`, each at least `minimum`, exactly (largest remainder)."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"{total} cannot give {len(weights)} shares of {minimum}")
    shares = [spare * w / sum(weights) for w in weights]
    sizes = [minimum + int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: int(shares[i]) - shares[i])
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


@dataclass
class _CellPlan:
    """Who goes into one cell: how many, like whom, living where."""

    unit: Unit
    size: int
    profile: str
    mix: dict
    dominant: str | None = None  # the village's own people, for a village cell
    homes: list = field(default_factory=list)  # villages members live in, in turn
    home_pool: list = field(default_factory=list)  # villages a member may live in otherwise
    near: list = field(default_factory=list)  # for district staff: villages around the town
    commune: str | None = None  # for hometowns
    weak: bool = False
    names: set = field(default_factory=set)  # full names already given in this cell


class _Builder:
    """Builds the district in memory order; every draw comes from one seeded generator."""

    def __init__(self, by):
        self.rng = random.Random(SEED)
        self.by = by
        self.plans: list[_CellPlan] = []
        self.villages: list[Village] = []
        self.white: set[int] = set()  # ids of Village objects (in memory) nobody lives in
        self.village_by_commune: dict[str, list[Village]] = {}
        self.uncovered: dict[str, list[Village]] = {}
        self.members: list[Member] = []
        self.citizen_ids: set[str] = set()
        self.card_numbers: set[str] = set()
        self.units: dict[str, Unit] = {}

    # Draws

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _unit(self, parent, kind, name, category=UnitCategory.OTHER, **fields) -> Unit:
        unit = unit_create(
            parent=parent, by=self.by, kind=kind, name=name, category=category, **fields
        )
        self.units[name] = unit
        return unit

    # Tree

    def build_tree(self) -> Unit:
        province = self._unit(
            None,
            UnitKind.PROVINCIAL,
            "Tỉnh ủy Lai Châu",
            code=PROVINCE_CODE,
            founded_on=date(2004, 1, 1),  # Lai Châu (new) from 1/1/2004: NQ 22/2003/QH11
        )
        district = self._unit(province, UnitKind.DISTRICT, "Huyện ủy Sìn Hồ", code=DISTRICT_CODE)
        for spec in COMMUNES:
            self._commune(district, spec)
        for spec in BASE_COMMITTEES:
            self._base_committee(district, spec)
        for spec in BASE_CELLS:
            cell = self._unit(
                district, UnitKind.BASE_CELL, spec.name, spec.category, code=spec.code
            )
            self.plans.append(self._district_plan(cell, spec.members, spec.profile))
        return district

    def _village_names(self, spec: CommuneSpec) -> list[tuple[str, str | None]]:
        names = list(spec.named)
        used = {name for name, _ in names}
        peoples = {k: v for k, v in spec.mix.items() if k != E.KINH}
        if not spec.town and f"Bản {spec.name}" not in used:
            first = max(peoples, key=peoples.get)
            names.insert(0, (f"Bản {spec.name}", first))
            used.add(f"Bản {spec.name}")
        while len(names) < spec.villages:
            people = self.pick(peoples)
            if people in _THAI_STYLE:
                words = [self.rng.choice(_THAI_FIRST), self.rng.choice(_THAI_SECOND)]
            else:
                words = [self.rng.choice(_HMONG_FIRST), self.rng.choice(_HMONG_SECOND)]
                if self.rng.random() < 0.15:
                    words.append(self.rng.choice(_HMONG_SECOND))
            name = "Bản " + " ".join(words)
            if name not in used and len(set(words)) == len(words):
                used.add(name)
                names.append((name, people))
        return names

    def _commune(self, district: Unit, spec: CommuneSpec) -> None:
        rng = self.rng
        commune = self._unit(
            district,
            UnitKind.COMMUNE,
            _commune_unit(spec.name),
            code="SHO-" + strip_diacritics(spec.name).replace(" ", "").upper(),
        )
        named = self._village_names(spec)
        villages = [
            Village(commune=commune, name=name, kind=_village_kind(name)) for name, _ in named
        ]
        people = {id(v): p for v, (_, p) in zip(villages, named, strict=True)}
        self.village_by_commune[spec.name] = villages
        self.villages.extend(villages)

        covered = villages[: len(villages) - spec.uncovered]
        uncovered = villages[len(covered) :]
        self.uncovered[spec.name] = uncovered[spec.white :]
        self.white.update(id(v) for v in uncovered[: spec.white])
        groups = [[v] for v in covered[: len(covered) - sum(spec.combined)]]
        start = len(groups)
        for size in spec.combined:
            groups.append(covered[start : start + size])
            start += size
        living = [v for v in villages if id(v) not in self.white]

        # Special cells first (fixed sizes), then the villages share the rest.
        specials = []
        place = spec.place
        if spec.agency:
            specials.append((f"Chi bộ Cơ quan {place}", UnitCategory.AGENCY, "commune_agency"))
        if spec.police:
            specials.append((f"Chi bộ Công an {place}", UnitCategory.POLICE, "commune_police"))
        if spec.military:
            specials.append((f"Chi bộ Quân sự {place}", UnitCategory.MILITARY, "commune_military"))
        for level in spec.schools:
            where = place if spec.town else spec.name
            specials.append((f"Chi bộ Trường {level} {where}", UnitCategory.SCHOOL, "school"))
        special_sizes = {
            "commune_agency": (6, 12),
            "commune_police": (4, 7),
            "commune_military": (3, 5),
            "school": (5, 12),
        }
        sizes = [rng.randint(*special_sizes[profile]) for _, _, profile in specials]

        village_cells = []
        for group in groups:
            first, rest = group[0], group[1:]
            name = "Chi bộ " + _lower_first(first.name)
            if rest:
                name += "".join(" - " + _without_prefix(v.name) for v in rest)
            village_cells.append((name, group))
        # The weak cells are remote independent ones, never the commune's own village.
        independent = [name for name, group in village_cells[1:] if len(group) == 1]
        weak = set(independent[len(independent) - spec.weak :])
        small = {name for name, group in village_cells if group[0].name in spec.small}
        fixed = {name: 3 for name in weak}
        fixed.update({name: rng.randint(4, 6) for name in sorted(small)})
        free = [(name, group) for name, group in village_cells if name not in fixed]
        budget = spec.members - sum(sizes) - sum(fixed.values())
        weights = [len(group) * rng.uniform(0.7, 1.3) for _, group in free]
        shared = dict(zip((n for n, _ in free), _split(budget, weights, 6), strict=True))

        profile = "town" if spec.town else "village"
        for name, group in village_cells:
            founded = spec.founded.get(name)
            cell = self._unit(
                commune, UnitKind.SUB_CELL, name, UnitCategory.VILLAGE, founded_on=founded
            )
            for village in group:
                village.cell = cell
            self.plans.append(
                _CellPlan(
                    unit=cell,
                    size=fixed.get(name) or shared[name],
                    profile=profile,
                    mix=spec.mix,
                    dominant=people[id(group[0])],
                    homes=list(group),
                    home_pool=list(group),
                    commune=spec.name,
                    weak=name in weak,
                )
            )
        kinh_share = {
            "commune_agency": 0.15,
            "commune_police": 0.3,
            "commune_military": 0.1,
            "school": 0.45,
        }
        for (name, category, special), size in zip(specials, sizes, strict=True):
            founded = spec.founded.get(name)
            if special == "commune_police":
                founded = POLICE_CELLS_FROM + timedelta(days=rng.randint(0, 330))
            cell = self._unit(commune, UnitKind.SUB_CELL, name, category, founded_on=founded)
            self.plans.append(
                _CellPlan(
                    unit=cell,
                    size=size,
                    profile=special,
                    mix=_blend(spec.mix, kinh_share[special]),
                    home_pool=living,
                    commune=spec.name,
                )
            )

    def _base_committee(self, district: Unit, spec: OrgSpec) -> None:
        committee = self._unit(
            district, UnitKind.BASE_COMMITTEE, spec.name, spec.category, code=spec.code
        )
        for name, size in spec.cells:
            cell = self._unit(committee, UnitKind.SUB_CELL, name, spec.category)
            self.plans.append(self._district_plan(cell, size, spec.profile))
        if spec.partial:
            name, cells = spec.partial
            partial = self._unit(committee, UnitKind.PARTIAL_COMMITTEE, name, spec.category)
            for cell_name, size in cells:
                cell = self._unit(partial, UnitKind.SUB_CELL, cell_name, spec.category)
                self.plans.append(self._district_plan(cell, size, spec.profile))

    def _district_plan(self, cell: Unit, size: int, profile: str) -> _CellPlan:
        # Filled in once villages exist: district staff live in and around the town.
        return _CellPlan(unit=cell, size=size, profile=profile, mix=DISTRICT_MIX)

    # Villages

    def save_villages(self) -> None:
        for village in self.villages:
            village.normalize_text_fields()
            village.clean_fields(exclude=["commune", "cell"])
            village.clean()
        bulk_create_with_history(self.villages, Village, batch_size=500, default_user=self.by)
        town = [v for v in self.village_by_commune[COMMUNES[0].name] if id(v) not in self.white]
        near = [
            v
            for name in NEAR_TOWN
            for v in self.village_by_commune[name]
            if id(v) not in self.white
        ]
        for plan in self.plans:
            if plan.commune is None:
                plan.home_pool = town
                plan.near = near

    # Members

    def build_members(self) -> None:
        for plan in self.plans:
            self._cell_members(plan)
        # A few people live in villages no cell covers; they meet in a neighbouring cell.
        # They move out of villages that keep at least two residents, so no village empties.
        for commune, villages in self.uncovered.items():
            path = self.units[_commune_unit(commune)].path
            neighbours = [
                m
                for m in self.members
                if m.unit.path.startswith(path)
                and m.unit.category == UnitCategory.VILLAGE
                and m.status in ACTIVE_STATUSES
                and m.residence_village is not None
            ]
            residents = Counter(id(m.residence_village) for m in neighbours)
            for village in villages:
                movers = self.rng.randint(2, 4)
                for member in self.rng.sample(neighbours, len(neighbours)):
                    if movers and residents[id(member.residence_village)] > 2:
                        residents[id(member.residence_village)] -= 1
                        member.residence_village = village
                        movers -= 1
        for member in self.members:
            member.normalize_text_fields()
            member.search_key = strip_diacritics(member.full_name)
            member.sort_key = name_sort_key(member.full_name)
            member.clean_fields(exclude=["unit", "residence_village"])
            member.clean()
        bulk_create_with_history(self.members, Member, batch_size=500, default_user=self.by)

    def _cell_members(self, plan: _CellPlan) -> None:
        rng = self.rng
        anchors = ANCHORS.get(plan.unit.name, ())
        homes = list(plan.homes)
        for i in range(plan.size):
            # Điều lệ Đảng: a cell needs 3 full members; the first three always are, except in
            # the weak cells the demo keeps to show the warning.
            if plan.weak:
                status = MemberStatus.PROBATIONARY if i == 2 else MemberStatus.FULL
            elif i < 3:
                status = MemberStatus.FULL
            else:
                status = None  # decided by age
            home = homes[i] if i < len(homes) else self._home(plan)
            anchor = anchors[i] if i < len(anchors) else None
            self.members.append(self._member(plan, status=status, home=home, anchor=anchor))
        formers = sum(rng.random() < FORMER_SHARE for _ in range(plan.size))
        for _ in range(formers):
            status = self.pick(FORMER_STATUSES)
            home = None
            if status not in (MemberStatus.DECEASED, MemberStatus.TRANSFERRED_OUT):
                home = self._home(plan)
            self.members.append(self._member(plan, status=status, home=home))

    def _home(self, plan: _CellPlan):
        rng = self.rng
        if plan.commune is None:
            draw = rng.random()
            if draw < 0.8:
                return rng.choice(plan.home_pool)
            return rng.choice(plan.near) if draw < 0.95 else None
        return rng.choice(plan.home_pool)

    def _age(self, plan: _CellPlan, status) -> int:
        rng = self.rng
        if status == MemberStatus.PROBATIONARY:
            return rng.randint(20, 38)
        if status == MemberStatus.DECEASED:
            # Retired staff move to their residential cell; agencies lose people in service.
            local = plan.profile in ("village", "town")
            return rng.randint(58, 85) if local else rng.randint(35, 59)
        if plan.profile == "village":
            draw = rng.random()
            if draw < 0.12:
                return rng.randint(21, 29)
            if draw < 0.72:
                return rng.randint(30, 59)
            return rng.randint(60, 72) if draw < 0.9 else rng.randint(73, 85)
        if plan.profile == "town":
            return rng.randint(55, 85) if rng.random() < 0.5 else rng.randint(26, 59)
        low, high = PROFILES[plan.profile].ages
        return round(rng.triangular(low, high, (low + high) / 2 - 4))

    def _member(self, plan: _CellPlan, *, status, home, anchor: Anchor | None = None) -> Member:
        rng = self.rng
        profile = PROFILES[plan.profile]
        if anchor:
            ethnicity, sex, age = anchor.ethnicity, anchor.sex, anchor.age
            full_name, status = anchor.full_name, MemberStatus.FULL
        else:
            if plan.dominant and rng.random() < 0.8:
                ethnicity = plan.dominant
            else:
                ethnicity = self.pick(plan.mix)
            sex = Sex.FEMALE if rng.random() < profile.female else Sex.MALE
            age = self._age(plan, status)
            # Namesakes exist, but not within one cell: the demo's lists stay unambiguous.
            full_name = self._name(ethnicity, sex)
            while full_name in plan.names:
                full_name = self._name(ethnicity, sex)
        plan.names.add(full_name)
        if status is None:
            young = age <= 45 and rng.random() < profile.probationary
            status = MemberStatus.PROBATIONARY if young else MemberStatus.FULL
        if sex == Sex.FEMALE and plan.profile not in ("village", "town"):
            age = min(age, 55)  # women retired at 55 (Bộ luật Lao động 2012)
        birth = _add_years(AS_OF, -age) - timedelta(days=rng.randint(1, 364))

        # Admission at 18 or over (Điều lệ Đảng, art. 1); probation of 12 months.
        official = None
        if status == MemberStatus.PROBATIONARY:
            earliest = max(_add_years(birth, 18) + timedelta(days=1), AS_OF - timedelta(360))
            admitted = earliest + timedelta(days=rng.randint(0, (AS_OF - earliest).days - 14))
        else:
            earliest = _add_years(birth, 18) + timedelta(days=20)
            latest_age = 50 if plan.profile in ("village", "town") else 40
            latest = min(_add_years(birth, latest_age), AS_OF - timedelta(days=400))
            span = (latest - earliest).days
            admitted = earliest + timedelta(days=int(span * rng.betavariate(1.3, 3.0)))
            if status != MemberStatus.REMOVED or rng.random() < 0.6:
                official = _add_years(admitted, 1)

        occupation = self._occupation(plan, age)
        exempt = None
        # Miễn công tác và sinh hoạt đảng: old members, on request.
        if (
            status == MemberStatus.FULL
            and age >= 65
            and rng.random() < (0.6 if age >= 70 else 0.15)
        ):
            exempt = _add_years(birth, rng.randint(65, age)) + timedelta(rng.randint(0, 300))
            exempt = min(max(exempt, official + timedelta(days=1)), AS_OF)
        hometown, province_code = self._origin(plan, ethnicity)
        return Member(
            unit=plan.unit,
            full_name=full_name,
            sex=sex,
            birth_date=birth,
            ethnicity=ethnicity,
            religion=self._religion(ethnicity),
            hometown=hometown,
            residence_village=home,
            citizen_id=self._citizen_id(province_code, birth, sex, age),
            card_number=self._card_number() if official else "",
            admitted_on=admitted,
            official_on=official,
            status=status,
            education=self._education(plan, age),
            theory_level=self._theory(plan, age, occupation),
            occupation=occupation,
            phone=self._phone(age),
            exempt_since=exempt,
        )

    def _name(self, ethnicity, sex) -> str:
        style = NAME_STYLES.get(ethnicity, NAME_STYLES[E.KINH])
        family = self.pick(style.families)
        if sex == Sex.FEMALE:
            middle, given = self.pick(style.female_middles), self.rng.choice(style.female_given)
        else:
            middle, given = self.pick(style.male_middles), self.rng.choice(style.male_given)
        return f"{family} {middle} {given}"

    def _occupation(self, plan: _CellPlan, age: int):
        if plan.profile == "village":
            if age >= 62:
                weights = {OC.FARMER: 75, OC.RETIRED: 25}
            elif 25 <= age <= 58:
                # Nghị quyết 26-NQ/TW: commune officials meet in their village's cell.
                weights = {OC.FARMER: 82, OC.CIVIL_SERVANT: 11, OC.SELF_EMPLOYED: 4, OC.WORKER: 3}
            else:
                weights = {OC.FARMER: 92, OC.SELF_EMPLOYED: 5, OC.WORKER: 3}
        elif plan.profile == "town":
            if age >= 60:
                weights = {OC.RETIRED: 75, OC.SELF_EMPLOYED: 10, OC.FARMER: 15}
            else:
                weights = {
                    OC.CIVIL_SERVANT: 25, OC.SELF_EMPLOYED: 35, OC.FARMER: 20, OC.WORKER: 15,
                    OC.ENTERPRISE: 5,
                }  # fmt: skip
        else:
            weights = PROFILES[plan.profile].occupations
        return self.pick(weights)

    def _education(self, plan: _CellPlan, age: int):
        if plan.profile in ("village", "town"):
            if age >= 60:
                weights = {ED.PRIMARY: 45, ED.LOWER_SECONDARY: 40, ED.UPPER_SECONDARY: 15}
            elif age >= 40:
                weights = {ED.PRIMARY: 12, ED.LOWER_SECONDARY: 50, ED.UPPER_SECONDARY: 38}
            else:
                weights = {ED.LOWER_SECONDARY: 30, ED.UPPER_SECONDARY: 70}
        elif age >= 45:
            weights = {ED.UPPER_SECONDARY: 92, ED.LOWER_SECONDARY: 8}
        else:
            weights = {ED.UPPER_SECONDARY: 100}
        return self.pick(weights)

    def _theory(self, plan: _CellPlan, age: int, occupation):
        if plan.profile in ("village", "town"):
            if occupation in (OC.CIVIL_SERVANT, OC.RETIRED):
                weights = {TH.ELEMENTARY: 35, TH.INTERMEDIATE: 55, TH.ADVANCED: 10}
            elif age < 30:
                weights = {TH.NONE: 65, TH.ELEMENTARY: 35}
            else:
                weights = {TH.NONE: 40, TH.ELEMENTARY: 50, TH.INTERMEDIATE: 10}
        else:
            weights = PROFILES[plan.profile].theory
        return self.pick(weights)

    def _religion(self, ethnicity):
        draw = self.rng.random()
        if ethnicity == E.HMONG and draw < 0.04:
            return Religion.PROTESTANTISM
        if ethnicity == E.KINH and draw < 0.08:
            return Religion.BUDDHISM if draw < 0.06 else Religion.CATHOLICISM
        return Religion.NONE

    def _origin(self, plan: _CellPlan, ethnicity) -> tuple[str, str]:
        rng = self.rng
        if ethnicity in LOWLAND_HOMETOWNS:
            return rng.choice(LOWLAND_HOMETOWNS[ethnicity])
        if ethnicity == E.HA_NHI:
            return "huyện Mường Tè, tỉnh Lai Châu", LAI_CHAU_ID
        if plan.commune and rng.random() < 0.85:
            spec = next(s for s in COMMUNES if s.name == plan.commune)
            return f"{spec.place}, {SIN_HO}", LAI_CHAU_ID
        if rng.random() < 0.7:
            spec = rng.choice(COMMUNES)
            return f"{spec.place}, {SIN_HO}", LAI_CHAU_ID
        return f"{rng.choice(LAI_CHAU_DISTRICTS)}, tỉnh Lai Châu", LAI_CHAU_ID

    def _citizen_id(self, province_code: str, birth: date, sex, age: int) -> str:
        """Căn cước công dân: province, century and sex, year of birth, six digits."""
        rng = self.rng
        if rng.random() < (0.2 if age >= 70 else 0.05):
            return ""  # not yet issued, or not recorded
        century = 0 if birth.year < 2000 else 2
        code = f"{province_code}{century + (sex == Sex.FEMALE)}{birth.year % 100:02d}"
        while True:
            number = f"{code}{rng.randint(0, 999_999):06d}"
            if number not in self.citizen_ids:
                self.citizen_ids.add(number)
                return number

    def _card_number(self) -> str:
        while True:
            number = f"{self.rng.randint(10_000_000, 99_999_999)}"
            if number not in self.card_numbers:
                self.card_numbers.add(number)
                return number

    def _phone(self, age: int) -> str:
        rng = self.rng
        if rng.random() > (0.75 if age < 60 else 0.35):
            return ""
        return f"0{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"


def _blend(mix: dict, kinh_share: float) -> dict:
    """A commune's make-up with a share of Kinh staff posted from outside added."""
    total = sum(mix.values())
    blended = {k: v * (1 - kinh_share) / total for k, v in mix.items()}
    blended[E.KINH] = blended.get(E.KINH, 0) + kinh_share
    return blended


def _commune_unit(name: str) -> str:
    spec = next(s for s in COMMUNES if s.name == name)
    return f"Đảng bộ {spec.place}"


# --- Public API ----------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What the load produced, counted back from the database."""

    grassroots: int
    communes: int
    base_committees: int
    base_cells: int
    sub_cells: int
    members: int
    full_members: int
    probationary: int
    exempt: int
    former: int
    villages: int
    pa_tan_sub_cells: int
    pa_tan_members: int
    seconds: float = 0.0

    def check(self) -> list[str]:
        """The published figures the data does not reproduce (an empty list when all do)."""
        wrong = [
            f"{name}: {getattr(self, name)} != {value}"
            for name, value in EXPECTED.items()
            if getattr(self, name) != value
        ]
        for name, value in EXPECTED_PA_TAN.items():
            if getattr(self, f"pa_tan_{name}") != value:
                wrong.append(f"pa_tan_{name}: {getattr(self, f'pa_tan_{name}')} != {value}")
        return wrong


def demo_exists() -> bool:
    return Unit.objects.filter(code=PROVINCE_CODE).exists()


def chibo_tables() -> list[str]:
    """Tables of chibo's own apps (with their history tables) that exist in the database."""
    existing = set(connection.introspection.table_names())
    tables = []
    for label in CHIBO_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            opts = model._meta
            if opts.managed and not opts.proxy and opts.db_table in existing:
                tables.append(opts.db_table)
    return tables


@transaction.atomic
def reset_demo() -> None:
    """Empty every chibo table (units, villages, members, meetings, reports, their history)
    and delete the demo users. Not for a database with real data."""
    statements = connection.ops.sql_flush(
        no_style(), chibo_tables(), reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()


def _demo_users() -> dict:
    User = get_user_model()
    users = {}
    for login in DEMO_LOGINS:
        superuser = login.role is None
        user, _ = User.objects.update_or_create(
            username=login.username,
            defaults={
                "first_name": login.full_name,
                "last_name": "",
                "is_active": True,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        users[login.username] = user
    return users


def summarize(district: Unit) -> DemoSummary:
    units = Unit.objects.subtree(district.path)
    kinds = dict(units.values_list("kind").annotate(n=Count("id")).order_by())
    members = Member.objects.in_subtree(district.path)
    active = members.active()
    pa_tan = units.get(name=_commune_unit("Pa Tần"))
    return DemoSummary(
        grassroots=sum(kinds.get(k, 0) for k in ("commune", "base_committee", "base_cell")),
        communes=kinds.get(UnitKind.COMMUNE, 0),
        base_committees=kinds.get(UnitKind.BASE_COMMITTEE, 0),
        base_cells=kinds.get(UnitKind.BASE_CELL, 0),
        sub_cells=kinds.get(UnitKind.SUB_CELL, 0),
        members=active.count(),
        full_members=active.filter(status=MemberStatus.FULL).count(),
        probationary=active.filter(status=MemberStatus.PROBATIONARY).count(),
        exempt=active.filter(exempt_since__isnull=False).count(),
        former=members.exclude(status__in=ACTIVE_STATUSES).count(),
        villages=Village.objects.filter(
            commune__path__gte=district.path, commune__path__lt=district.path + PATH_END
        ).count(),
        pa_tan_sub_cells=Unit.objects.subtree(pa_tan.path).filter(kind=UnitKind.SUB_CELL).count(),
        pa_tan_members=Member.objects.active().in_subtree(pa_tan.path).count(),
    )


@transaction.atomic
def build_demo() -> DemoSummary:
    """Build the demo district in one transaction; fail (and roll back) unless the seed's
    published figures come out exactly."""
    started = time.perf_counter()
    users = _demo_users()
    builder = _Builder(by=users["quantri"])
    district = builder.build_tree()
    builder.save_villages()
    builder.build_members()
    for login in DEMO_LOGINS:
        if login.role is not None:
            assignment_create(
                user=users[login.username],
                unit=builder.units[login.unit],
                role=login.role,
                by=users["quantri"],
            )
    summary = summarize(district)
    wrong = summary.check()
    if wrong:
        raise RuntimeError("Demo figures differ from seed 001: " + "; ".join(wrong))
    summary.seconds = time.perf_counter() - started
    return summary
