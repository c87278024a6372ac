"""Party members: the core record, kept with its history."""

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
    MemberStatus,
    Occupation,
    Religion,
    Sex,
    TheoryLevel,
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

    def search(self, text: str):
        """Match names without diacritics or case ("lo van" finds "Lò Văn …"), or ID numbers."""
        key = strip_diacritics(text)
        if not key:
            return self
        q = Q(search_key__contains=key)
        if key.isdigit():
            q |= Q(citizen_id__startswith=key) | Q(card_number__startswith=key)
        return self.filter(q)


class Member(NormalizedTextMixin, models.Model):
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
    hometown = models.CharField(_("hometown"), max_length=300, blank=True)
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
    admitted_on = models.DateField(_("admitted on"))
    official_on = models.DateField(_("full member since"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus, default=MemberStatus.PROBATIONARY
    )
    education = models.CharField(_("general education"), max_length=20, choices=Education)
    theory_level = models.CharField(
        _("political theory level"), max_length=20, choices=TheoryLevel, default=TheoryLevel.NONE
    )
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    exempt_since = models.DateField(_("exempt from activity since"), null=True, blank=True)
    left_on = models.DateField(_("left the rolls on"), null=True, blank=True)

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

    def save(self, *args, **kwargs):
        self.normalize_text_fields()
        self.search_key = strip_diacritics(self.full_name)
        self.sort_key = name_sort_key(self.full_name)
        super().save(*args, **kwargs)

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
        errors = {}
        today = date.today()
        for name in ("birth_date", "admitted_on", "official_on", "exempt_since", "left_on"):
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
        if self.official_on and self.admitted_on and self.official_on <= self.admitted_on:
            errors["official_on"] = _("Full membership comes after the admission date.")
        if self.status == MemberStatus.FULL and not self.official_on:
            errors["official_on"] = _("A full member needs the date full membership began.")
        if self.status == MemberStatus.PROBATIONARY and self.official_on:
            errors["status"] = _("A member with a full-membership date is a full member.")
        if self.is_active and self.left_on:
            errors["left_on"] = _("A member on the rolls has no leaving date.")
        if self.status and not self.is_active and not self.left_on:
            errors["left_on"] = _("Give the date the member left the rolls.")
        if self.left_on and self.admitted_on and self.left_on < self.admitted_on:
            errors["left_on"] = _("A member cannot leave before being admitted.")
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

    The validated rows are kept as JSON, so the preview and the commit see the same data
    without keeping the upload; a batch is private to the user who uploaded it.
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
    rows = models.JSONField(default=list)
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

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action and not row["errors"])
