"""Figures of the membership rules, each beside its regulation (GLOSSARY.md, "Rules")."""

import calendar
import enum
import functools
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

# HD 12-HD/BTCTW (2022): probation lasts 12 months from the admission ceremony, and recognition
# takes effect on the day they end. Configurable: the figure is the regulation's, kept here only.
PROBATION_MONTHS = 12
# How far ahead the probation list warns: the cell considers recognition within 30 working days
# after the 12 months (HD 12-HD/BTCTW, 2022), so a month's notice lets it prepare.
RECOGNITION_NOTICE_DAYS = 30


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def probation_ends(admitted_on: date) -> date:
    """The day probation ends, when the member is due for recognition as a full member."""
    return add_months(admitted_on, PROBATION_MONTHS)


# ---------------------------------------------------------------------------------------------
# Admission (kết nạp đảng viên): QĐ 294-QĐ/TW (2025), HD 01-HD/TW (2021), HD 12-HD/BTCTW (2022).
# Every figure is the regulation's and kept here only; those GLOSSARY.md marks configurable say so.

# QĐ 294-QĐ/TW: from full 18 to full 60 years of age, counted in months, on the day the cell
# considers the admission (its resolution). Over 60 needs the province committee's consent.
ADMISSION_MIN_AGE_MONTHS = 18 * 12
ADMISSION_MAX_AGE_MONTHS = 60 * 12
# QĐ 294-QĐ/TW: two sponsors, full members of the cell, who have known the candidate for at
# least 12 months.
SPONSOR_KNOWN_MONTHS = 12
# HD 01-HD/TW (2021): the party-awareness class certificate is valid for 5 years.
AWARENESS_CERTIFICATE_MONTHS = 5 * 12
# QĐ 294-QĐ/TW: at least two thirds of the cell's full members, and of the committee, vote for.
VOTE_SHARE = (2, 3)
# HD 12-HD/BTCTW (2022), configurable: the decision within 60 working days of the cell's
# resolution, the ceremony within 30 working days of the decision.
DECISION_WORKING_DAYS = 60
CEREMONY_WORKING_DAYS = 30
# A deadline this close (in working days) is flagged as near.
NEAR_WORKING_DAYS = 10


# Working days: Monday to Friday, less the public holidays of the Labour Code (Bộ luật Lao động
# 2019, art. 112, in force since 1/1/2021). Only the solar-calendar holidays are here: Tết
# Nguyên đán and the Hùng Kings' day follow the lunar calendar and their days off are set by the
# government each year, so they are left out and counted as working days. Deadlines therefore
# come out a few days earlier than the regulation's when they span Tết: flags appear early,
# never late.
FIXED_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 2))
# Since 2021 National Day is two days: 2 September and the day before or after it, chosen each
# year by the government (art. 112(1)(đ)). Years whose choice the rule below gets wrong go here.
NATIONAL_DAY_EXTRA = {}  # {year: date}
NATIONAL_DAY_TWO_DAYS_FROM = 2021


def _national_day_extra(year: int) -> date | None:
    """The second National Day holiday: the adjacent day that makes the longer break.

    Gives the government's choices of 2021-2025 (3/9, 1/9, 1/9, 3/9, 1/9).
    """
    if year < NATIONAL_DAY_TWO_DAYS_FROM:
        return None
    if year in NATIONAL_DAY_EXTRA:
        return NATIONAL_DAY_EXTRA[year]
    before, after = date(year, 9, 1), date(year, 9, 3)
    if before.weekday() in (0, 4):
        return before
    if after.weekday() in (0, 4) or before.weekday() >= 5:
        return after
    return before


@functools.cache
def public_holidays(year: int) -> frozenset[date]:
    """The year's solar-calendar days off, with the day in lieu of a holiday on a weekend
    (art. 112(3): the next working day)."""
    days = {date(year, month, day) for month, day in FIXED_HOLIDAYS}
    extra = _national_day_extra(year)
    if extra:
        days.add(extra)
    in_lieu = set()
    for day in sorted(days):
        if day.weekday() >= 5:
            substitute = day + timedelta(days=1)
            while substitute.weekday() >= 5 or substitute in days or substitute in in_lieu:
                substitute += timedelta(days=1)
            in_lieu.add(substitute)
    return frozenset(days | in_lieu)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (`start` itself not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`, as add_months counts them (0 when `end` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def has_vote_share(votes_for: int, voters: int) -> bool:
    """At least two thirds voted for, counted in whole votes (no rounding)."""
    share_for, share_of = VOTE_SHARE
    return voters > 0 and votes_for * share_of >= voters * share_for


class Rule(enum.Enum):
    """The rules of admission a candidate's record is checked against, by name."""

    ORDER = "order"
    AGE = "age"
    CERTIFICATE = "certificate"
    SPONSORS = "sponsors"
    CELL_VOTE = "cell_vote"
    COMMITTEE_VOTE = "committee_vote"
    DECISION_DEADLINE = "decision_deadline"
    CEREMONY_DEADLINE = "ceremony_deadline"

    @property
    def label(self) -> str:
        return {
            Rule.ORDER: _("Stages in order (HD 01-HD/TW)"),
            Rule.AGE: _("Age %(min)d to %(max)d (QĐ 294-QĐ/TW)")
            % {"min": ADMISSION_MIN_AGE_MONTHS // 12, "max": ADMISSION_MAX_AGE_MONTHS // 12},
            Rule.CERTIFICATE: _(
                "Awareness-class certificate under %(years)d years old (HD 01-HD/TW)"
            )
            % {"years": AWARENESS_CERTIFICATE_MONTHS // 12},
            Rule.SPONSORS: _(
                "Two sponsors, full members of the cell, who have known the candidate "
                "%(months)d months (QĐ 294-QĐ/TW)"
            )
            % {"months": SPONSOR_KNOWN_MONTHS},
            Rule.CELL_VOTE: _("Two thirds of the cell's full members vote for (QĐ 294-QĐ/TW)"),
            Rule.COMMITTEE_VOTE: _("Two thirds of the committee vote for (QĐ 294-QĐ/TW)"),
            Rule.DECISION_DEADLINE: _(
                "Decision within %(days)d working days of the cell's resolution (HD 12-HD/BTCTW)"
            )
            % {"days": DECISION_WORKING_DAYS},
            Rule.CEREMONY_DEADLINE: _(
                "Ceremony within %(days)d working days of the decision (HD 12-HD/BTCTW)"
            )
            % {"days": CEREMONY_WORKING_DAYS},
        }[self]


class Level(enum.StrEnum):
    BROKEN = "broken"  # the rule is not met
    NEAR = "near"  # a deadline or expiry within NEAR_WORKING_DAYS
    CONSENT = "consent"  # allowed only with a higher committee's consent (over 60)


@dataclass(frozen=True)
class Finding:
    """A rule a candidate breaks or is close to breaking.

    `recorded` findings follow from dates and votes already entered, and saving them is refused;
    the others come from today's date (a deadline passing with nothing recorded yet).
    """

    rule: Rule
    level: Level
    detail: str
    recorded: bool = False
    due_on: date | None = None

    @property
    def name(self) -> str:
        return self.rule.label

    def __str__(self):
        return f"{self.name}: {self.detail}"


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# The stages, in order, as (field, what must be filled before it).
STAGE_FIELDS = (
    "awareness_class_on",
    "application_on",
    "background_checked_on",
    "cell_resolution_on",
    "committee_resolution_on",
    "decision_on",
    "ceremony_on",
)


def certificate_expires(awareness_class_on: date) -> date:
    """The first day the certificate is no longer valid (5 years after the class)."""
    return add_months(awareness_class_on, AWARENESS_CERTIFICATE_MONTHS)


def decision_due(cell_resolution_on: date) -> date:
    return add_working_days(cell_resolution_on, DECISION_WORKING_DAYS)


def ceremony_due(decision_on: date) -> date:
    return add_working_days(decision_on, CEREMONY_WORKING_DAYS)


def sponsor_is_full_member(sponsor, cell_id: int, day: date) -> bool:
    """Whether `sponsor` was a full member of the cell `cell_id` on `day`.

    The member's cell on that day comes from their placements (prefetch them for lists); a
    member without any placement is taken to have always been in their present cell.
    """
    if sponsor.official_on is None or sponsor.official_on > day:
        return False
    if sponsor.left_on is not None and sponsor.left_on <= day:
        return False
    placements = list(sponsor.placements.all())
    if not placements:
        return sponsor.unit_id == cell_id
    return any(
        p.unit_id == cell_id and p.valid_from <= day and (p.valid_to is None or p.valid_to > day)
        for p in placements
    )


def _order_findings(c) -> list[Finding]:
    found = []
    # Each stage needs the ones its rules rest on; dates must not go backwards or into the future.
    needs = {
        # (the awareness class is the certificate rule's)
        "cell_resolution_on": ("application_on", "background_checked_on"),
        "committee_resolution_on": ("cell_resolution_on",),
        "decision_on": ("committee_resolution_on",),
        "ceremony_on": ("decision_on",),
    }
    labels = {name: c._meta.get_field(name).verbose_name for name in STAGE_FIELDS}
    for stage, required in needs.items():
        if getattr(c, stage) is None:
            continue
        for name in required:
            if getattr(c, name) is None:
                found.append(
                    Finding(
                        Rule.ORDER,
                        Level.BROKEN,
                        _("“%(stage)s” needs “%(before)s” first.")
                        % {"stage": labels[stage], "before": labels[name]},
                        recorded=True,
                    )
                )
    filled = [(name, getattr(c, name)) for name in STAGE_FIELDS if getattr(c, name)]
    # The application and the awareness class may come in either order; the rest follow.
    for (earlier, a), (later, b) in zip(filled, filled[1:], strict=False):
        if {earlier, later} == {"awareness_class_on", "application_on"}:
            continue
        if b < a:
            found.append(
                Finding(
                    Rule.ORDER,
                    Level.BROKEN,
                    _("“%(later)s” (%(b)s) is before “%(earlier)s” (%(a)s).")
                    % {"later": labels[later], "b": _d(b), "earlier": labels[earlier], "a": _d(a)},
                    recorded=True,
                )
            )
    if c.birth_date:
        for name, day in filled:
            if day <= c.birth_date:
                found.append(
                    Finding(
                        Rule.ORDER,
                        Level.BROKEN,
                        _("“%(stage)s” is before the date of birth.") % {"stage": labels[name]},
                        recorded=True,
                    )
                )
    if c.decision_on and not c.decision_number:
        found.append(
            Finding(Rule.ORDER, Level.BROKEN, _("The decision needs its number."), recorded=True)
        )
    return found


def _age_findings(c, today: date) -> list[Finding]:
    if not c.birth_date:
        return []
    day = c.cell_resolution_on or today
    recorded = c.cell_resolution_on is not None
    months = months_between(c.birth_date, day)
    age = _("%(years)d years %(months)d months old on %(day)s") % {
        "years": months // 12,
        "months": months % 12,
        "day": _d(day),
    }
    if months < ADMISSION_MIN_AGE_MONTHS and recorded:
        return [Finding(Rule.AGE, Level.BROKEN, age, recorded=True)]
    # "Full 60 counted in months": 60 years and some days is still 720 months, within the rule.
    if months > ADMISSION_MAX_AGE_MONTHS:
        return [
            Finding(
                Rule.AGE,
                Level.CONSENT,
                _("%(age)s: over %(max)d, admission needs the province committee's consent.")
                % {"age": age, "max": ADMISSION_MAX_AGE_MONTHS // 12},
                recorded=recorded,
            )
        ]
    return []


def _certificate_findings(c, today: date) -> list[Finding]:
    if c.member_id or c.withdrawn_on:
        return []
    if c.awareness_class_on is None:
        if c.cell_resolution_on:
            return [
                Finding(
                    Rule.CERTIFICATE,
                    Level.BROKEN,
                    _("No awareness class is recorded."),
                    recorded=True,
                )
            ]
        return []
    expires = certificate_expires(c.awareness_class_on)
    if c.cell_resolution_on:
        if c.cell_resolution_on >= expires:
            return [
                Finding(
                    Rule.CERTIFICATE,
                    Level.BROKEN,
                    _("The certificate of %(class)s expired on %(day)s, before the resolution.")
                    % {"class": _d(c.awareness_class_on), "day": _d(expires)},
                    recorded=True,
                )
            ]
        return []
    if today >= expires:
        return [
            Finding(
                Rule.CERTIFICATE,
                Level.BROKEN,
                _("The certificate expired on %(day)s: the candidate attends the class again.")
                % {"day": _d(expires)},
                due_on=expires,
            )
        ]
    if working_days_between(today, expires) <= NEAR_WORKING_DAYS:
        return [
            Finding(
                Rule.CERTIFICATE,
                Level.NEAR,
                _("The certificate expires on %(day)s: the cell resolves before then.")
                % {"day": _d(expires)},
                due_on=expires,
            )
        ]
    return []


def _sponsor_findings(c, today: date) -> list[Finding]:
    if c.member_id or c.withdrawn_on:
        return []
    recorded = c.cell_resolution_on is not None
    day = c.cell_resolution_on or today
    found = []

    def broken(detail):
        found.append(Finding(Rule.SPONSORS, Level.BROKEN, detail, recorded=recorded))

    sponsors = [(c.sponsor_1, c.sponsor_1_known_since), (c.sponsor_2, c.sponsor_2_known_since)]
    if recorded and any(s is None for s, _known in sponsors):
        broken(_("Two sponsors are needed."))
    for sponsor, known_since in sponsors:
        if sponsor is None:
            continue
        if not sponsor_is_full_member(sponsor, c.unit_id, day):
            broken(
                _("%(name)s is not a full member of the cell on %(day)s.")
                % {"name": sponsor.full_name, "day": _d(day)}
            )
        if not recorded:
            continue
        if known_since is None:
            broken(
                _("Since when %(name)s has known the candidate is not recorded.")
                % {"name": sponsor.full_name}
            )
        elif months_between(known_since, day) < SPONSOR_KNOWN_MONTHS:
            broken(
                _("%(name)s has known the candidate for %(months)d months on %(day)s.")
                % {
                    "name": sponsor.full_name,
                    "months": months_between(known_since, day),
                    "day": _d(day),
                }
            )
    if c.sponsor_1_id and c.sponsor_1_id == c.sponsor_2_id:
        broken(_("The two sponsors must be different members."))
    return found


def _vote_findings(rule, resolution_on, votes_for, voters) -> list[Finding]:
    if resolution_on is None:
        return []
    if votes_for is None or not voters:
        detail = _("The votes are not recorded.")
    elif votes_for > voters:
        detail = _("%(for)d votes for out of %(of)d: more votes than voters.") % {
            "for": votes_for,
            "of": voters,
        }
    elif not has_vote_share(votes_for, voters):
        detail = _("%(for)d votes for out of %(of)d.") % {"for": votes_for, "of": voters}
    else:
        return []
    return [Finding(rule, Level.BROKEN, detail, recorded=True)]


def _deadline_findings(rule, start, due, done, today, pending: bool) -> list[Finding]:
    """A stage due `due` after `start`: late when `done` after it; when not done, late or near."""
    if start is None:
        return []
    if done is not None:
        if done > due:
            return [
                Finding(
                    rule,
                    Level.BROKEN,
                    _("%(done)s is after the deadline of %(due)s.")
                    % {"done": _d(done), "due": _d(due)},
                    recorded=True,
                    due_on=due,
                )
            ]
        return []
    if not pending:
        return []
    if today > due:
        return [
            Finding(
                rule,
                Level.BROKEN,
                _("The deadline was %(due)s.") % {"due": _d(due)},
                due_on=due,
            )
        ]
    left = working_days_between(today, due)
    if left <= NEAR_WORKING_DAYS:
        return [
            Finding(
                rule,
                Level.NEAR,
                _("Due by %(due)s (%(left)d working days left).") % {"due": _d(due), "left": left},
                due_on=due,
            )
        ]
    return []


def admission_findings(candidate, *, today: date) -> list[Finding]:
    """Every rule of admission `candidate` breaks or nears, as of `today`.

    Rules "on the day of the cell's resolution" are judged on that day once it is recorded, and
    on `today` before (then only what cannot improve by waiting is reported).
    """
    c = candidate
    pending = not c.member_id and not c.withdrawn_on
    found = [
        *_order_findings(c),
        *_age_findings(c, today),
        *_certificate_findings(c, today),
        *_sponsor_findings(c, today),
        *_vote_findings(Rule.CELL_VOTE, c.cell_resolution_on, c.cell_votes_for, c.cell_voters),
        *_vote_findings(
            Rule.COMMITTEE_VOTE,
            c.committee_resolution_on,
            c.committee_votes_for,
            c.committee_voters,
        ),
    ]
    if c.cell_resolution_on:
        found += _deadline_findings(
            Rule.DECISION_DEADLINE,
            c.cell_resolution_on,
            decision_due(c.cell_resolution_on),
            c.decision_on,
            today,
            pending,
        )
    if c.decision_on:
        found += _deadline_findings(
            Rule.CEREMONY_DEADLINE,
            c.decision_on,
            ceremony_due(c.decision_on),
            c.ceremony_on,
            today,
            pending,
        )
    return found


def next_deadline(candidate, *, today: date) -> tuple[date, str] | None:
    """The next date the candidate's file must meet, with what is due then."""
    c = candidate
    if c.member_id or c.withdrawn_on:
        return None
    if c.decision_on and not c.ceremony_on:
        return ceremony_due(c.decision_on), _("admission ceremony")
    if c.cell_resolution_on and not c.decision_on:
        return decision_due(c.cell_resolution_on), _("admission decision")
    if c.awareness_class_on and not c.cell_resolution_on:
        return certificate_expires(c.awareness_class_on) - timedelta(days=1), _(
            "cell resolution, while the certificate is valid"
        )
    return None
