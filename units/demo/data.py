"""The demo district's data: communes, cells, organisations, names, profiles, logins."""

from dataclasses import dataclass, field
from datetime import date

from members.choices import (
    Education,
    Ethnicity,
    MemberStatus,
    Occupation,
    Sex,
    TheoryLevel,
)
from units.models import Role, UnitCategory

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
        CAT.PARTY_AGENCY,
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
        CAT.MASS_ORGANISATION,
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
    OrgSpec("Chi bộ Trung tâm Bồi dưỡng chính trị huyện", "SHO-BDCT", CAT.PARTY_AGENCY, "civil", 6),
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
        "Quản trị (Ban Tổ chức; đến 30/6/2025 của Huyện ủy Sìn Hồ): "
        "cây tổ chức, đảng viên, phân quyền",
    ),
    DemoLogin(
        "lanhdao",
        "Tòng Văn Thanh",
        "Huyện ủy Sìn Hồ",
        Role.VIEWER,
        "Lãnh đạo (đến 30/6/2025 Thường trực Huyện ủy Sìn Hồ): chỉ xem số liệu",
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
