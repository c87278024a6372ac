"""Resolutions and their targets: what the dashboards measure progress against."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from units.models import NormalizedTextMixin, Unit


class Resolution(NormalizedTextMixin, models.Model):
    """Nghị quyết: a committee's resolution for a period, e.g. 03-NQ/HU (2016-2020)."""

    number = models.CharField(_("number"), max_length=60)
    issuer = models.ForeignKey(
        Unit, verbose_name=_("issued by"), related_name="resolutions", on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    history = HistoricalRecords(verbose_name=_("history of resolution"))

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-start_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "number"],
                name="reports_resolution_unique_number",
                violation_error_message=_("This unit already has a resolution with this number."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="reports_resolution_period_ordered",
                violation_error_message=_("The period ends before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.number} ({self.start_year}-{self.end_year})"

    def get_absolute_url(self):
        return reverse("resolution_detail", args=[self.pk])

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


class TargetKind(models.TextChoices):
    ADMISSIONS = "admissions", _("new members admitted per year")
    MONTHLY_MEETINGS = "monthly_meetings", _("% of cells meeting every month")
    THEMATIC = "thematic", _("thematic meetings per cell per quarter")
    NO_WHITE_VILLAGE = "no_white_village", _("villages without party members (at most)")
    OWN_CELL_VILLAGES = "own_cell_villages", _("% of villages with their own cell")


# Kinds whose value is a share of 100.
PERCENT_KINDS = (TargetKind.MONTHLY_MEETINGS, TargetKind.OWN_CELL_VILLAGES)


class Target(models.Model):
    """Chỉ tiêu: one figure a resolution sets for a unit, for one year or every year of it."""

    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("resolution"),
        related_name="targets",
        on_delete=models.CASCADE,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="targets", on_delete=models.PROTECT
    )
    # Empty: the value holds for every year of the resolution's period.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=1)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords(verbose_name=_("history of target"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["resolution_id", "unit_id", "kind", "year"]
        indexes = [
            # dashboard: a unit's targets
            models.Index(fields=["unit", "kind"], name="reports_target_unit_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "unit", "kind", "year"],
                name="reports_target_unique_year",
                violation_error_message=_("This target is already set for this unit and year."),
            ),
            models.UniqueConstraint(
                fields=["resolution", "unit", "kind"],
                condition=Q(year__isnull=True),
                name="reports_target_unique_period",
                violation_error_message=_(
                    "This target is already set for this unit for the whole period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="reports_target_value_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def is_percent(self) -> bool:
        return self.kind in PERCENT_KINDS


class DataGeneration(models.Model):
    """One row: a number that moves on each time a transaction writing the data dashboards read
    commits (database triggers, reports.generation), with the time it did."""

    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"{self.value} ({self.changed_at})"


class PendingChange(models.Model):
    """PostgreSQL: a row per transaction that has written tracked data and not yet committed;
    its deferred trigger moves the generation on at commit (reports.generation)."""

    txid = models.BigIntegerField(primary_key=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return str(self.txid)
