"""Party members: the core record, kept with its history."""

import json
import zlib
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.choices import (
    ACTIVE_STATUSES,
    Education,
    Ethnicity,
    EventKind,
    MemberStatus,
    Occupation,
    Qualification,
    Religion,
    ServiceBackground,
    Sex,
    TheoryLevel,
    TransferScope,
)
from units.models import CELL_KINDS, NormalizedTextMixin, Unit, Village
from units.vietnamese import name_sort_key, strip_diacritics

citizen_id_validator = RegexValidator(r"^\d{12}$", _("A citizen ID number has exactly 12 digits."))
phone_validator = RegexValidator(
    r"^\+?[0-9 .]{9,15}$", _("Enter a phone number of 9 to 15 digits.")
)


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        from units.access import scope_for

        return self.filter(scope_for(user).visible_q("unit__path"))

    def in_subtree(self, path: str):
        from units.models import PATH_END

        return self.filter(unit__path__gte=path, unit__path__lt=path + PATH_END)

    def active(self):
        """Members on the rolls (probationary and full, exempt ones included)."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def search(self, text: str, *, id_prefix: bool = True):
        """Match names without diacritics or case ("lo van" finds "Lò Văn …"), or ID numbers.
        `id_prefix=False`, for users who may not see citizen IDs (members.sensitive): an ID
        matches only whole, so it cannot be found out digit by digit."""
        key = strip_diacritics(text)
        if not key:
            return self
        q = Q(search_key__contains=key)
        if key.isdigit():
            q |= Q(card_number__startswith=key)
            if id_prefix:
                q |= Q(citizen_id__startswith=key)
            elif len(key) == 12:
                q |= Q(citizen_id=key)
        return self.filter(q)


class NameKeysMixin:
    """The derived keys of `full_name`, rewritten on every save after the text is normalised:
    diacritic-free for search, Vietnamese name order for sorting."""

    def set_name_keys(self) -> None:
        self.search_key = strip_diacritics(self.full_name)
        self.sort_key = name_sort_key(self.full_name)

    def save(self, *args, **kwargs):
        self.set_name_keys()
        super().save(*args, **kwargs)


class Member(NormalizedTextMixin, NameKeysMixin, models.Model):
    """Đảng viên: a party member's record."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("party cell"), related_name="members", on_delete=models.PROTECT
    )
    full_name = models.CharField(_("full name"), max_length=200)
    birth_name = models.CharField(_("birth name"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, choices=Ethnicity)
    religion = models.CharField(
        _("religion"), max_length=20, choices=Religion, default=Religion.NONE
    )
    birth_place = models.CharField(_("place of birth"), max_length=300, blank=True)
    hometown = models.CharField(_("hometown"), max_length=300, blank=True)
    permanent_address = models.CharField(_("permanent residence"), max_length=300, blank=True)
    temporary_address = models.CharField(_("temporary residence"), max_length=300, blank=True)
    residence_village = models.ForeignKey(
        Village,
        verbose_name=_("village of residence"),
        related_name="residents",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    citizen_id = models.CharField(
        _("citizen ID number"), max_length=12, blank=True, validators=[citizen_id_validator]
    )
    card_number = models.CharField(_("party card number"), max_length=20, blank=True)
    cv_number = models.CharField(_("CV number"), max_length=20, blank=True)
    badge_number = models.CharField(_("badge number"), max_length=20, blank=True)
    # Party age counts from the admission decision; probation from the ceremony.
    admitted_on = models.DateField(_("admitted on"))
    ceremony_on = models.DateField(_("admission ceremony date"), null=True, blank=True)
    official_on = models.DateField(_("full member since"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus, default=MemberStatus.PROBATIONARY
    )
    education = models.CharField(_("general education"), max_length=20, choices=Education)
    theory_level = models.CharField(
        _("political theory level"), max_length=20, choices=TheoryLevel, default=TheoryLevel.NONE
    )
    qualification = models.CharField(
        _("professional qualification"),
        max_length=20,
        choices=Qualification,
        default=Qualification.NONE,
    )
    foreign_language = models.CharField(_("foreign language"), max_length=100, blank=True)
    occupation_before = models.CharField(
        _("occupation before joining"), max_length=20, choices=Occupation, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation)
    youth_union = models.BooleanField(_("Youth Union member"), default=False)
    service_background = models.CharField(
        _("army, police or retired"),
        max_length=20,
        choices=ServiceBackground,
        default=ServiceBackground.NONE,
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    exempt_since = models.DateField(_("exempt from activity since"), null=True, blank=True)
    left_on = models.DateField(_("left the rolls on"), null=True, blank=True)
    # On temporary transfer (chuyển sinh hoạt tạm thời): still on this cell's rolls, meeting
    # elsewhere until `away_until`.
    away_since = models.DateField(_("on temporary transfer since"), null=True, blank=True)
    away_until = models.DateField(_("on temporary transfer until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Derived keys, rewritten on every save: diacritic-free name for search, Vietnamese order.
    search_key = models.CharField(max_length=200, editable=False, default="")
    sort_key = models.CharField(max_length=400, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["search_key", "sort_key", "created_at", "updated_at"],
        verbose_name=_("history of member"),
    )
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["sort_key", "id"]
        indexes = [
            # member list: a unit's members in Vietnamese name order
            models.Index(fields=["unit", "sort_key"], name="members_member_unit_sort_idx"),
            # member list across a subtree: name order, then filtered by unit path
            models.Index(fields=["sort_key"], name="members_member_sort_idx"),
            # search without diacritics: name prefixes; inner matches scan this narrow column
            models.Index(fields=["search_key"], name="members_member_search_idx"),
            # counts of active members per unit (tree figures)
            models.Index(fields=["status", "unit"], name="members_member_status_unit_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=~Q(citizen_id=""),
                name="members_member_citizen_id_unique",
                violation_error_message=_("Another member already has this citizen ID number."),
            ),
            models.UniqueConstraint(
                fields=["card_number"],
                condition=~Q(card_number=""),
                name="members_member_card_number_unique",
                violation_error_message=_("Another member already has this party card number."),
            ),
            models.CheckConstraint(
                condition=Q(admitted_on__gt=F("birth_date")),
                name="members_member_admitted_after_born",
            ),
            models.CheckConstraint(
                condition=Q(official_on__isnull=True) | Q(official_on__gt=F("admitted_on")),
                name="members_member_official_after_admitted",
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("member_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_exempt(self) -> bool:
        return self.exempt_since is not None and self.is_active

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self):
        super().clean()
        from members.rules import PROBATION_MONTHS, probation_ends

        errors = {}
        today = date.today()
        dated = (
            "birth_date",
            "admitted_on",
            "ceremony_on",
            "official_on",
            "exempt_since",
            "left_on",
            "away_since",
        )
        for name in dated:
            value = getattr(self, name)
            if value and value > today:
                errors[name] = _("This date is in the future.")
        # Điều lệ Đảng, art. 1: a member is admitted at 18 or older.
        if (
            self.birth_date
            and self.admitted_on
            and "admitted_on" not in errors
            and self.age_on(self.admitted_on) < 18
        ):
            errors["admitted_on"] = _("A member is admitted at 18 years of age or older.")
        if self.ceremony_on and self.admitted_on and self.ceremony_on < self.admitted_on:
            errors.setdefault(
                "ceremony_on", _("The admission ceremony comes after the admission decision.")
            )
        if self.official_on and self.admitted_on and self.official_on <= self.admitted_on:
            errors.setdefault("official_on", _("Full membership comes after the admission date."))
        # HD 12-HD/BTCTW (2022): probation lasts 12 months from the ceremony (from the
        # decision when the ceremony date is not recorded).
        probation_from = self.ceremony_on or self.admitted_on
        if (
            self.official_on
            and probation_from
            and "official_on" not in errors
            and self.official_on < probation_ends(probation_from)
        ):
            errors["official_on"] = _(
                "Full membership begins no earlier than %(months)d months after the admission "
                "ceremony (%(day)s)."
            ) % {
                "months": PROBATION_MONTHS,
                "day": probation_ends(probation_from).strftime("%d/%m/%Y"),
            }
        if self.status == MemberStatus.FULL and not self.official_on:
            errors.setdefault(
                "official_on", _("A full member needs the date full membership began.")
            )
        if self.status == MemberStatus.PROBATIONARY and self.official_on:
            errors["status"] = _("A member with a full-membership date is a full member.")
        if self.is_active and self.left_on:
            errors.setdefault("left_on", _("A member on the rolls has no leaving date."))
        if self.status and not self.is_active and not self.left_on:
            errors["left_on"] = _("Give the date the member left the rolls.")
        if self.left_on and self.admitted_on and self.left_on < self.admitted_on:
            errors.setdefault("left_on", _("A member cannot leave before being admitted."))
        if self.exempt_since and self.admitted_on and self.exempt_since < self.admitted_on:
            errors.setdefault(
                "exempt_since", _("An exemption from activity cannot begin before admission.")
            )
        if self.away_since and self.admitted_on and self.away_since < self.admitted_on:
            errors.setdefault(
                "away_since", _("A temporary transfer cannot begin before admission.")
            )
        if self.away_until and not self.away_since:
            errors.setdefault("away_since", _("Give the date the temporary transfer began."))
        if self.away_since and self.away_until and self.away_until <= self.away_since:
            errors.setdefault("away_until", _("A temporary transfer ends after the day it begins."))
        if self.unit_id and self.unit.kind not in CELL_KINDS:
            errors["unit"] = _("Members belong to a party cell.")
        if errors:
            raise ValidationError(errors)


class PlacementQuerySet(models.QuerySet):
    def on(self, day):
        """Where each member was on `day`."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )


class Placement(models.Model):
    """The cell a member belonged to over a period: member counts as of any date follow it.

    Written by the services whenever a member's cell changes (transfer, merger, split);
    derived from those changes, so not itself in history.
    """

    member = models.ForeignKey(Member, related_name="placements", on_delete=models.CASCADE)
    unit = models.ForeignKey(Unit, related_name="placements", on_delete=models.PROTECT)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["member_id", "valid_from"]
        indexes = [
            # member counts of units as of a date
            models.Index(fields=["unit", "valid_from"], name="members_placement_unit_idx"),
            # a member's current placement (to close it)
            models.Index(fields=["member", "valid_to"], name="members_placement_member_idx"),
        ]

    def __str__(self):
        return f"{self.member} · {self.unit} ({self.valid_from:%d/%m/%Y}–)"


def placements_for(members) -> list[Placement]:
    """The first placement of new members: in their cell from their admission."""
    return [
        Placement(member=m, unit_id=m.unit_id, valid_from=m.admitted_on, valid_to=m.left_on)
        for m in members
    ]


class ImportBatch(models.Model):
    """Lượt nhập Excel: a read and validated member file, waiting for its author to commit it.

    The validated rows are kept (`rows`: plain JSON, stored compressed), so the preview and the
    commit see the same data without keeping the upload; a batch is private to the user who
    uploaded it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="member_imports",
        on_delete=models.CASCADE,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("party cell"), related_name="member_imports", on_delete=models.PROTECT
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The rows as zlib-compressed JSON: 10,000 rows with their changes are ~20 MB of JSON, which
    # PostgreSQL took 1.2 s to store as jsonb (a tenth of the import's budget) and 2 MB here.
    rows_data = models.BinaryField(default=bytes, editable=False)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("member_import_preview", args=[self.pk])

    @property
    def rows(self) -> list:
        """The rows as the importer described them (Row.as_json), decompressed once."""
        if getattr(self, "_rows", None) is None:
            data = self.rows_data
            self._rows = json.loads(zlib.decompress(data)) if data else []
        return self._rows

    @rows.setter
    def rows(self, rows: list) -> None:
        self._rows = rows
        self.rows_data = pack_rows(rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action and not row["errors"])


def pack_rows(rows: list) -> bytes:
    """Import rows as ImportBatch stores them: compact JSON, compressed fast (level 1)."""
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 1)


class MembershipEvent(models.Model):
    """Biến động đảng viên: a dated change of a member's status or cell, with its decision.

    Written only by the event services, which keep the member's status, dates and placements
    in step with it; a member's status and cell on any date follow from these.
    """

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), related_name="events", on_delete=models.PROTECT
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind)
    on = models.DateField(_("date"))
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    # The member's cell the event concerns: the cell joined for an entry, the cell left for an
    # exit; for a transfer between cells, from_unit → to_unit.
    unit = models.ForeignKey(
        Unit, verbose_name=_("party cell"), related_name="member_events", on_delete=models.PROTECT
    )
    from_unit = models.ForeignKey(
        Unit,
        verbose_name=_("from cell"),
        related_name="member_events_from",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    to_unit = models.ForeignKey(
        Unit,
        verbose_name=_("to cell"),
        related_name="member_events_to",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    scope = models.CharField(
        _("transfer from or to"), max_length=20, choices=TransferScope, blank=True
    )
    place = models.CharField(_("organisation outside"), max_length=300, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("history of membership event"))

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["member_id", "on", "id"]
        indexes = [
            # a member's timeline
            models.Index(fields=["member", "on"], name="members_event_member_on_idx"),
            # increase/decrease statistics: events of a kind in a period
            models.Index(fields=["kind", "on"], name="members_event_kind_on_idx"),
            # a cell's events in a period
            models.Index(fields=["unit", "on"], name="members_event_unit_on_idx"),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_kind_display()} ({self.on:%d/%m/%Y})"


class Candidate(NormalizedTextMixin, NameKeysMixin, models.Model):
    """Quần chúng ưu tú: an outstanding non-member on the way to admission, stage by stage.

    Each stage is a date (and its decision or votes); the stage reached is the last one filled.
    Admission creates the member and links it here.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("party cell"), related_name="candidates", on_delete=models.PROTECT
    )
    full_name = models.CharField(_("full name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, choices=Ethnicity)
    religion = models.CharField(
        _("religion"), max_length=20, choices=Religion, default=Religion.NONE
    )
    hometown = models.CharField(_("hometown"), max_length=300, blank=True)
    residence_village = models.ForeignKey(
        Village,
        verbose_name=_("village of residence"),
        related_name="candidates",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    citizen_id = models.CharField(
        _("citizen ID number"), max_length=12, blank=True, validators=[citizen_id_validator]
    )
    education = models.CharField(_("general education"), max_length=20, choices=Education)
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])

    awareness_class_on = models.DateField(_("party-awareness class"), null=True, blank=True)
    application_on = models.DateField(_("application submitted"), null=True, blank=True)
    sponsor_1 = models.ForeignKey(
        Member,
        verbose_name=_("first sponsor"),
        related_name="sponsored_first",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    sponsor_1_known_since = models.DateField(
        _("first sponsor has known the candidate since"), null=True, blank=True
    )
    sponsor_2 = models.ForeignKey(
        Member,
        verbose_name=_("second sponsor"),
        related_name="sponsored_second",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    sponsor_2_known_since = models.DateField(
        _("second sponsor has known the candidate since"), null=True, blank=True
    )
    background_checked_on = models.DateField(_("background check done"), null=True, blank=True)
    cell_resolution_on = models.DateField(_("cell resolution"), null=True, blank=True)
    cell_votes_for = models.PositiveSmallIntegerField(_("cell votes for"), null=True, blank=True)
    cell_voters = models.PositiveSmallIntegerField(
        _("full members of the cell"), null=True, blank=True
    )
    committee_resolution_on = models.DateField(_("committee resolution"), null=True, blank=True)
    committee_votes_for = models.PositiveSmallIntegerField(
        _("committee votes for"), null=True, blank=True
    )
    committee_voters = models.PositiveSmallIntegerField(
        _("committee members"), null=True, blank=True
    )
    decision_on = models.DateField(_("admission decision"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    ceremony_on = models.DateField(_("admission ceremony"), null=True, blank=True)
    member = models.OneToOneField(
        Member,
        verbose_name=_("party member"),
        related_name="candidacy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    search_key = models.CharField(max_length=200, editable=False, default="")
    sort_key = models.CharField(max_length=400, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["search_key", "sort_key", "created_at", "updated_at"],
        verbose_name=_("history of candidate"),
    )

    class Meta:
        verbose_name = _("admission candidate")
        verbose_name_plural = _("admission candidates")
        ordering = ["sort_key", "id"]
        indexes = [
            # a unit's admissions board
            models.Index(fields=["unit", "sort_key"], name="members_candidate_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sponsor_1__isnull=True)
                | Q(sponsor_2__isnull=True)
                | ~Q(sponsor_1=F("sponsor_2")),
                name="members_candidate_two_sponsors",
                violation_error_message=_("The two sponsors must be different members."),
            ),
        ]

    def __str__(self):
        return self.full_name


class BadgeAward(models.Model):
    """Huy hiệu Đảng: a badge for N years of membership, awarded by a decision."""

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), related_name="badges", on_delete=models.PROTECT
    )
    years = models.PositiveSmallIntegerField(_("years of membership"))
    awarded_on = models.DateField(_("awarded on"))
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("history of badge award"))

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        ordering = ["member_id", "years"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "years"],
                name="members_badgeaward_once",
                violation_error_message=_("This member already has this badge."),
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.years}"
