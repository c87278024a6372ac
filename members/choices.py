"""Fixed lists of the member record: ethnic groups, religions, education levels, occupations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Ethnicity(models.TextChoices):
    """The 54 ethnic groups recognised in Vietnam (General Statistics Office list).

    Their names are proper nouns, the same in every language, so they are not translated.
    """

    KINH = "kinh", "Kinh"
    TAY = "tay", "Tày"
    THAI = "thai", "Thái"
    MUONG = "muong", "Mường"
    KHMER = "khmer", "Khmer"
    HOA = "hoa", "Hoa"
    NUNG = "nung", "Nùng"
    HMONG = "hmong", "H'Mông"
    DAO = "dao", "Dao"
    GIA_RAI = "gia_rai", "Gia Rai"
    NGAI = "ngai", "Ngái"
    E_DE = "e_de", "Ê Đê"
    BA_NA = "ba_na", "Ba Na"
    XO_DANG = "xo_dang", "Xơ Đăng"
    SAN_CHAY = "san_chay", "Sán Chay"
    CO_HO = "co_ho", "Cơ Ho"
    CHAM = "cham", "Chăm"
    SAN_DIU = "san_diu", "Sán Dìu"
    HRE = "hre", "Hrê"
    MNONG = "mnong", "Mnông"
    RA_GLAI = "ra_glai", "Ra Glai"
    XTIENG = "xtieng", "Xtiêng"
    BRU_VAN_KIEU = "bru_van_kieu", "Bru-Vân Kiều"
    THO = "tho", "Thổ"
    GIAY = "giay", "Giáy"
    CO_TU = "co_tu", "Cơ Tu"
    GIE_TRIENG = "gie_trieng", "Giẻ Triêng"
    MA = "ma", "Mạ"
    KHO_MU = "kho_mu", "Khơ Mú"
    CO = "co", "Co"
    TA_OI = "ta_oi", "Tà Ôi"
    CHO_RO = "cho_ro", "Chơ Ro"
    KHANG = "khang", "Kháng"
    XINH_MUN = "xinh_mun", "Xinh Mun"
    HA_NHI = "ha_nhi", "Hà Nhì"
    CHU_RU = "chu_ru", "Chu Ru"
    LAO = "lao", "Lào"
    LA_CHI = "la_chi", "La Chí"
    LA_HA = "la_ha", "La Ha"
    PHU_LA = "phu_la", "Phù Lá"
    LA_HU = "la_hu", "La Hủ"
    LU = "lu", "Lự"
    LO_LO = "lo_lo", "Lô Lô"
    CHUT = "chut", "Chứt"
    MANG = "mang", "Mảng"
    PA_THEN = "pa_then", "Pà Thẻn"
    CO_LAO = "co_lao", "Cơ Lao"
    CONG = "cong", "Cống"
    BO_Y = "bo_y", "Bố Y"
    SI_LA = "si_la", "Si La"
    PU_PEO = "pu_peo", "Pu Péo"
    BRAU = "brau", "Brâu"
    O_DU = "o_du", "Ơ Đu"
    RO_MAM = "ro_mam", "Rơ Măm"


class Religion(models.TextChoices):
    NONE = "none", _("none")
    BUDDHISM = "buddhism", _("Buddhism")
    CATHOLICISM = "catholicism", _("Catholicism")
    PROTESTANTISM = "protestantism", _("Protestantism")
    CAODAISM = "caodaism", _("Caodaism")
    HOA_HAO = "hoa_hao", _("Hoa Hao Buddhism")
    ISLAM = "islam", _("Islam")
    OTHER = "other", _("other religion")


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("probationary member")
    FULL = "full", _("full member")
    TRANSFERRED_OUT = "transferred_out", _("transferred out")
    DECEASED = "deceased", _("deceased")
    EXPELLED = "expelled", _("expelled")
    REMOVED = "removed", _("removed from the rolls")
    RESIGNED = "resigned", _("resigned")


ACTIVE_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL)


def status_from_record(official_on) -> MemberStatus:
    """The status of a record entered with its past: full when it gives the date full
    membership began, probationary otherwise."""
    return MemberStatus.FULL if official_on else MemberStatus.PROBATIONARY


class Education(models.TextChoices):
    """Trình độ giáo dục phổ thông (general education), as the member sheet records it."""

    PRIMARY = "primary", _("primary school")
    LOWER_SECONDARY = "lower_secondary", _("lower secondary school")
    UPPER_SECONDARY = "upper_secondary", _("upper secondary school")


class TheoryLevel(models.TextChoices):
    """Trình độ lý luận chính trị."""

    NONE = "none", _("none")
    ELEMENTARY = "elementary", _("elementary")
    INTERMEDIATE = "intermediate", _("intermediate")
    ADVANCED = "advanced", _("advanced")
    BACHELOR = "bachelor", _("bachelor of political theory")


class Occupation(models.TextChoices):
    """Nghề nghiệp hiện nay, in the groups of HD 11-HD/BTCTW (2021)."""

    FARMER = "farmer", _("farmer")
    WORKER = "worker", _("worker")
    CIVIL_SERVANT = "civil_servant", _("civil servant")
    PUBLIC_EMPLOYEE = "public_employee", _("public employee")
    TEACHER = "teacher", _("teacher")
    ARMY = "army", _("army")
    POLICE = "police", _("police")
    ENTERPRISE = "enterprise", _("enterprise employee")
    STUDENT = "student", _("student")
    RETIRED = "retired", _("retired")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    OTHER = "other", _("other occupation")


# Age bands of the structure statistics (HD 11-HD/BTCTW, 2021).
AGE_BANDS = [
    ("30", _("30 and under"), None, 30),
    ("31_40", _("31 to 40"), 31, 40),
    ("41_50", _("41 to 50"), 41, 50),
    ("51_60", _("51 to 60"), 51, 60),
    ("61_70", _("61 to 70"), 61, 70),
    ("71", _("over 70"), 71, None),
]


class Qualification(models.TextChoices):
    """Trình độ chuyên môn nghiệp vụ, in the groups of HD 11-HD/BTCTW (2021)."""

    NONE = "none", _("no professional qualification")
    ELEMENTARY = "elementary", _("elementary vocational")
    INTERMEDIATE = "intermediate", _("vocational secondary")
    COLLEGE = "college", _("college")
    UNIVERSITY = "university", _("university")
    MASTER = "master", _("master's degree")
    DOCTOR = "doctor", _("doctorate")


class ServiceBackground(models.TextChoices):
    """Quân đội / công an / hưu trí, as the member sheet records it."""

    NONE = "none", _("none")
    ARMY = "army", _("serving in the army")
    POLICE = "police", _("serving in the police")
    VETERAN = "veteran", _("former soldier")
    RETIRED = "retired", _("retired")


class EventKind(models.TextChoices):
    """Biến động đảng viên: what changed a member's status or cell."""

    ADMITTED = "admitted", _("admitted")
    RECOGNISED = "recognised", _("recognised as full member")
    TRANSFER_IN = "transfer_in", _("transferred in")
    TRANSFER_OUT = "transfer_out", _("transferred out")
    TRANSFER_INTERNAL = "transfer_internal", _("transferred between cells")
    TEMP_OUT = "temp_out", _("temporary transfer out")
    TEMP_BACK = "temp_back", _("back from temporary transfer")
    EXEMPTED = "exempted", _("exempted from activity")
    EXEMPTION_ENDED = "exemption_ended", _("exemption from activity ended")
    DIED = "died", _("died")
    EXPELLED = "expelled", _("expelled")
    REMOVED = "removed", _("removed from the rolls")
    RESIGNED = "resigned", _("resigned")
    REINSTATED = "reinstated", _("reinstated")


class TransferScope(models.TextChoices):
    """Where a transfer in or out comes from or goes to (HD 11-HD/BTCTW, 2021)."""

    INSIDE = "inside", _("inside the district")
    OTHER_DISTRICT = "other_district", _("another district")
    OTHER_PROVINCE = "other_province", _("another province")


# Events that take a member off the rolls, with the status they leave behind.
EXIT_STATUSES = {
    EventKind.TRANSFER_OUT: MemberStatus.TRANSFERRED_OUT,
    EventKind.DIED: MemberStatus.DECEASED,
    EventKind.EXPELLED: MemberStatus.EXPELLED,
    EventKind.REMOVED: MemberStatus.REMOVED,
    EventKind.RESIGNED: MemberStatus.RESIGNED,
}
# Events that put a member on the rolls of a cell.
ENTRY_KINDS = (EventKind.ADMITTED, EventKind.TRANSFER_IN, EventKind.REINSTATED)
