"""The party-unit tree, villages, and who is assigned to which unit."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from units.vietnamese import normalize_multiline, normalize_text, strip_diacritics

PATH_END = "~"  # sorts after every digit and ".": [path, path + PATH_END) is the subtree


class NormalizedTextMixin:
    """Stores every text field NFC-normalised and trimmed, whatever wrote it."""

    def normalize_text_fields(self):
        for field in self._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    multiline = isinstance(field, models.TextField)
                    value = normalize_multiline(value) if multiline else normalize_text(value)
                    setattr(self, field.attname, value)

    def save(self, *args, **kwargs):
        self.normalize_text_fields()
        super().save(*args, **kwargs)


class UnitKind(models.TextChoices):
    PROVINCIAL = "provincial", _("provincial party committee")
    DISTRICT = "district", _("district party committee")
    COMMUNE = "commune", _("commune party committee")
    BASE_COMMITTEE = "base_committee", _("base party committee")
    BASE_CELL = "base_cell", _("base party cell")
    PARTIAL_COMMITTEE = "partial_committee", _("partial party committee")
    SUB_CELL = "sub_cell", _("subordinate party cell")


# Grassroots organisations (tổ chức cơ sở đảng): commune committees, base committees, base cells.
GRASSROOTS_KINDS = (UnitKind.COMMUNE, UnitKind.BASE_COMMITTEE, UnitKind.BASE_CELL)
# Units whose members meet as a cell; members belong to these only.
CELL_KINDS = (UnitKind.BASE_CELL, UnitKind.SUB_CELL)

# Which kinds may sit directly under which (Điều lệ Đảng, art. 21-24; QĐ 294-QĐ/TW, 2025:
# since 1/7/2025 commune committees sit directly under the province).
ALLOWED_PARENT_KINDS = {
    UnitKind.PROVINCIAL: (),
    UnitKind.DISTRICT: (UnitKind.PROVINCIAL,),
    UnitKind.COMMUNE: (UnitKind.DISTRICT, UnitKind.PROVINCIAL),
    UnitKind.BASE_COMMITTEE: (UnitKind.DISTRICT, UnitKind.PROVINCIAL, UnitKind.COMMUNE),
    UnitKind.BASE_CELL: (UnitKind.DISTRICT, UnitKind.PROVINCIAL, UnitKind.COMMUNE),
    UnitKind.PARTIAL_COMMITTEE: (UnitKind.COMMUNE, UnitKind.BASE_COMMITTEE),
    UnitKind.SUB_CELL: (
        UnitKind.COMMUNE,
        UnitKind.BASE_COMMITTEE,
        UnitKind.PARTIAL_COMMITTEE,
    ),
}


class UnitCategory(models.TextChoices):
    VILLAGE = "village", _("village / residential group")
    SCHOOL = "school", _("school")
    POLICE = "police", _("police")
    MILITARY = "military", _("military")
    AGENCY = "agency", _("agency")
    # Biểu 5-BTCTW tells these agencies (row 4) from state agencies (AGENCY, row 5).
    PARTY_AGENCY = "party_agency", _("Party agency")
    MASS_ORGANISATION = "mass_organisation", _("Fatherland Front and mass organisations")
    ENTERPRISE = "enterprise", _("enterprise")
    OTHER = "other", _("other")


class UnitQuerySet(models.QuerySet):
    def subtree(self, path: str):
        """Everything at or under `path`: one indexed range scan on every database."""
        return self.filter(path__gte=path, path__lt=path + PATH_END)

    def active(self):
        return self.filter(dissolved_on__isnull=True)

    def visible_to(self, user):
        from units.access import scope_for

        return self.filter(scope_for(user).visible_q("path"))


class Unit(NormalizedTextMixin, models.Model):
    """Đảng bộ / chi bộ: one node of the party-unit tree."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    # Materialised path of ids, "1.34.5678.", kept by services; derived, so not in history.
    path = models.CharField(_("path"), max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind)
    category = models.CharField(
        _("category"), max_length=20, choices=UnitCategory, default=UnitCategory.OTHER
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=30, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    search_key = models.CharField(max_length=200, editable=False, default="")

    history = HistoricalRecords(
        excluded_fields=["path", "depth", "search_key"], verbose_name=_("history of unit")
    )
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            # subtree of a unit: path range scan (tree page, scope, every count)
            models.Index(fields=["path"], name="units_unit_path_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="units_unit_code_unique",
                violation_error_message=_("Another unit already has this code."),
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=F("founded_on")),
                name="units_unit_dissolved_after_founded",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalize_text_fields()
        self.search_key = strip_diacritics(f"{self.name} {self.short_name}")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("unit_detail", args=[self.pk])

    @property
    def display_name(self):
        return self.short_name or self.name

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    @property
    def can_have_children(self) -> bool:
        return self.kind not in CELL_KINDS

    @property
    def has_villages(self) -> bool:
        """Villages belong to the commune-level unit."""
        return self.kind == UnitKind.COMMUNE

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.split(".") if p][:-1]

    def clean(self):
        super().clean()
        if not self.kind:
            return  # the field itself reports a missing or unknown kind
        allowed = ALLOWED_PARENT_KINDS.get(self.kind, ())
        if self.parent is None:
            if self.kind != UnitKind.PROVINCIAL:
                raise ValidationError(
                    {"parent": _("Only a provincial committee may stand without a parent unit.")}
                )
        elif self.parent.kind not in allowed:
            raise ValidationError(
                {
                    "kind": _("A %(kind)s cannot sit under a %(parent_kind)s.")
                    % {
                        "kind": self.get_kind_display(),
                        "parent_kind": self.parent.get_kind_display(),
                    }
                }
            )
        if self.pk and self.kind in CELL_KINDS and self.children.exists():
            raise ValidationError(
                {"kind": _("A cell cannot have units under it; move them first.")}
            )
        if self.dissolved_on and self.founded_on and self.dissolved_on < self.founded_on:
            raise ValidationError(
                {"dissolved_on": _("A unit cannot be dissolved before it was founded.")}
            )


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("village (thôn)")
    HAMLET = "hamlet", _("hamlet (bản)")
    RESIDENTIAL_GROUP = "residential_group", _("residential group")


class VillageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Villages of the communes in the user's scope, and of the communes above it.

        A cell secretary sees her own commune's villages (where her members live) without
        seeing the commune's other cells.
        """
        from units.access import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        above = {int(i) for path in scope.visible for i in path.split(".") if i}
        return self.filter(scope.visible_q("commune__path") | Q(commune_id__in=above))


class Village(NormalizedTextMixin, models.Model):
    """Thôn, bản, tổ dân phố: a village of a commune, covered by at most one cell."""

    commune = models.ForeignKey(
        Unit, verbose_name=_("commune"), related_name="villages", on_delete=models.PROTECT
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=VillageKind, default=VillageKind.HAMLET
    )
    cell = models.ForeignKey(
        Unit,
        verbose_name=_("covering cell"),
        related_name="covered_villages",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    history = HistoricalRecords(verbose_name=_("history of village"))
    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["commune_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "name"],
                name="units_village_unique_name_in_commune",
                violation_error_message=_("The commune already has a village of this name."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.commune_id and self.commune.kind != UnitKind.COMMUNE:
            raise ValidationError({"commune": _("Villages belong to a commune party committee.")})
        if self.cell_id:
            if not self.cell.is_cell:
                raise ValidationError({"cell": _("Only a party cell can cover a village.")})
            if self.commune_id and not self.cell.path.startswith(self.commune.path):
                raise ValidationError(
                    {"cell": _("The covering cell must belong to the village's commune.")}
                )


class VillageCoverageQuerySet(models.QuerySet):
    def on(self, day):
        """Each village's commune and covering cell in force on `day`."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )


class VillageCoverage(models.Model):
    """A village's commune and covering cell over a period: coverage as of any date.

    Written by the village and reorganisation services with every change of commune or cell,
    effective from the change's date; derived from those changes, so not itself in history.
    """

    village = models.ForeignKey(Village, related_name="coverages", on_delete=models.CASCADE)
    commune = models.ForeignKey(Unit, related_name="+", on_delete=models.PROTECT)
    cell = models.ForeignKey(
        Unit, related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    objects = VillageCoverageQuerySet.as_manager()

    class Meta:
        verbose_name = _("village coverage")
        verbose_name_plural = _("village coverages")
        ordering = ["village_id", "valid_from"]
        indexes = [
            # villages of communes as of a date (figures, coverage lists, reports)
            models.Index(fields=["commune", "valid_from"], name="units_coverage_commune_idx"),
            # a village's current coverage (to close it)
            models.Index(fields=["village", "valid_to"], name="units_coverage_village_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="units_villagecoverage_valid_period",
            )
        ]

    def __str__(self):
        return f"{self.village_id} · {self.cell_id or '—'} ({self.valid_from:%d/%m/%Y}–)"


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    STAFF = "staff", _("organisation staff")
    SECRETARY = "secretary", _("cell secretary")
    VIEWER = "viewer", _("viewer")


EDIT_ROLES = (Role.ADMIN, Role.STAFF, Role.SECRETARY)


class Assignment(models.Model):
    """Phân công: a user's role over a unit and everything under it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="assignments",
        on_delete=models.CASCADE,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="assignments", on_delete=models.PROTECT
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    history = HistoricalRecords(verbose_name=_("history of assignment"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["user_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit"],
                name="units_assignment_one_role_per_unit",
                violation_error_message=_("This user already has a role in this unit."),
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    def clean(self):
        super().clean()
        if self.role == Role.SECRETARY and self.unit_id and not self.unit.is_cell:
            raise ValidationError({"unit": _("A cell secretary is assigned to a party cell.")})


class UnitVersionQuerySet(models.QuerySet):
    def on(self, day):
        """The version of each unit in force on `day` (units that existed then)."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def subtree(self, path: str):
        return self.filter(path__gte=path, path__lt=path + PATH_END)


class UnitVersion(models.Model):
    """A unit's place and name over a period: the tree as it stood on any date.

    Written by the services with every change of place, name or kind, effective from the
    change's date; derived from the reorganisation events, so not itself in history.
    """

    unit = models.ForeignKey(Unit, related_name="versions", on_delete=models.CASCADE)
    parent = models.ForeignKey(
        Unit, related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=UnitKind)
    name = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    objects = UnitVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit version")
        verbose_name_plural = _("unit versions")
        ordering = ["unit_id", "valid_from"]
        indexes = [
            # the tree as of a date: versions in force, by path range
            models.Index(fields=["path", "valid_from"], name="units_version_path_from_idx"),
            # a unit's current version (to close it)
            models.Index(fields=["unit", "valid_to"], name="units_version_unit_to_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="units_unitversion_valid_period",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–)"


class ReorgKind(models.TextChoices):
    FOUND = "found", _("founding")
    RENAME = "rename", _("renaming")
    MOVE = "move", _("move under another unit")
    MERGE = "merge", _("merger")
    SPLIT = "split", _("split of a combined cell")
    DISSOLVE = "dissolve", _("dissolution")
    REFORM_2025 = "reform_2025", _("abolition of the district level (2025)")


class ReorgEvent(NormalizedTextMixin, models.Model):
    """Thành lập, đổi tên, sáp nhập, chia tách, giải thể, điều chuyển: a dated tree change."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReorgKind)
    effective_on = models.DateField(_("effective on"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    note = models.TextField(_("note"), blank=True)
    summary = models.CharField(_("summary"), max_length=500)
    units = models.ManyToManyField(
        Unit, through="ReorgEventUnit", related_name="reorg_events", verbose_name=_("units")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords(verbose_name=_("history of reorganisation"))

    class Meta:
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")
        ordering = ["-effective_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.effective_on:%d/%m/%Y} ({self.decision_number})"


class ReorgRole(models.TextChoices):
    SUBJECT = "subject", _("subject")
    FROM_PARENT = "from_parent", _("previous parent")
    TO_PARENT = "to_parent", _("new parent")
    ABSORBED = "absorbed", _("absorbed")
    RESULT = "result", _("result")


class ReorgEventUnit(models.Model):
    """A unit's part in a reorganisation (so each unit's page lists the events it took part in)."""

    event = models.ForeignKey(ReorgEvent, related_name="parts", on_delete=models.CASCADE)
    unit = models.ForeignKey(Unit, related_name="reorg_parts", on_delete=models.PROTECT)
    role = models.CharField(max_length=20, choices=ReorgRole)

    class Meta:
        verbose_name = _("unit of a reorganisation")
        verbose_name_plural = _("units of reorganisations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "unit", "role"], name="units_reorgeventunit_unique"
            )
        ]

    def __str__(self):
        return f"{self.event} · {self.unit} · {self.get_role_display()}"


class Term(NormalizedTextMixin, models.Model):
    """Nhiệm kỳ: a committee's or cell's term of office, e.g. 2020-2025."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="terms", on_delete=models.PROTECT
    )
    name = models.CharField(_("term"), max_length=20)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    history = HistoricalRecords(verbose_name=_("history of term"))

    class Meta:
        verbose_name = _("term of office")
        verbose_name_plural = _("terms of office")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="units_term_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="units_term_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class OfficerRole(models.TextChoices):
    SECRETARY = "secretary", _("secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
    STANDING = "standing", _("standing board member")
    COMMITTEE_MEMBER = "committee_member", _("committee member")


class OfficerQuerySet(models.QuerySet):
    def on(self, day):
        """Officers in office on `day`: from their first day to their last (`ends_on`)."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Officer(models.Model):
    """Bí thư, phó bí thư, ủy viên ban thường vụ, cấp ủy viên: an officer of a unit in a term."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="officers", on_delete=models.PROTECT
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("party member"),
        related_name="offices",
        on_delete=models.PROTECT,
    )
    role = models.CharField(_("office"), max_length=20, choices=OfficerRole)
    term = models.ForeignKey(
        Term,
        verbose_name=_("term"),
        related_name="officers",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    starts_on = models.DateField(_("since"))
    # The last day in office (the unit's page shows the officer as of that day still).
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_village_head = models.BooleanField(_("also village head"), default=False)
    # The login given with the office (a cell secretary's): links the user to the member.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        related_name="offices",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    history = HistoricalRecords(verbose_name=_("history of officer"))
    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["unit_id", "role", "starts_on"]
        indexes = [
            # current officers of a unit (every unit page)
            models.Index(fields=["unit", "ends_on"], name="units_officer_unit_current_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="units_officer_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.get_role_display()}"
