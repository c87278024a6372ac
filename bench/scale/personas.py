"""One login per role with known credentials, two reorganisations, and the personas file the
benchmark runner logs in with."""

import hashlib
import json
import os
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from meetings.rules import month_start
from members.choices import ACTIVE_STATUSES
from members.models import Member
from units.models import CELL_KINDS, Assignment, Officer, OfficerRole, Role, Unit, UnitKind
from units.reorganisation import reorg_merge, reorg_rename

DEFAULT_PASSWORD = "bench-Password-2026!"
SECRETARY_CELL_SIZE = 25
TOTP_MODEL = "django_otp.plugins.otp_totp"


def password() -> str:
    return os.environ.get("BENCH_PASSWORD") or DEFAULT_PASSWORD


def totp_key(seed: int, username: str) -> str:
    """A 20-byte TOTP key (40 hex digits), the same for a seed and a username."""
    return hashlib.sha1(f"chibo-bench:{seed}:{username}".encode()).hexdigest()


def _user(username: str, full_name: str, *, superuser: bool = False):
    User = get_user_model()
    family, _sep, given = full_name.rpartition(" ")
    user = User(
        username=username,
        first_name=given,
        last_name=family,
        is_staff=superuser,
        is_superuser=superuser,
    )
    user.set_password(password())
    user.save()
    return user


def _active_count(cells):
    return cells.annotate(active=Count("members", filter=Q(members__status__in=ACTIVE_STATUSES)))


def reorganise(province: Unit, by, today) -> list[str]:
    """A merger of the two smallest village cells of one commune and a renaming of a cell of
    another, through the reorganisation services, from the first day of this month (after
    every generated meeting and change)."""
    on = month_start(today)
    communes = list(province.children.filter(kind=UnitKind.COMMUNE).order_by("code"))
    done = []
    if len(communes) >= 2:
        cells = list(
            _active_count(
                Unit.objects.filter(parent=communes[1], kind__in=CELL_KINDS, category="village")
            ).order_by("active", "name")[:2]
        )
        if len(cells) == 2:
            reorg_merge(
                absorbed=[cells[0]], into=cells[1], on=on, decision_number="101-QĐ/TU", by=by
            )
            done.append(f"merge: {cells[0].name} → {cells[1].name}")
    target = communes[-1] if communes else None
    cell = (
        Unit.objects.filter(parent=target, kind__in=CELL_KINDS, name__startswith="Chi bộ bản ")
        .order_by("name")
        .first()
    )
    if cell is not None:
        old_name = cell.name
        new_name = "Chi bộ thôn " + old_name.removeprefix("Chi bộ bản ")
        reorg_rename(unit=cell, name=new_name, on=on, decision_number="102-QĐ/TU", by=by)
        done.append(f"rename: {old_name} → {new_name}")
    return done


def _largest_commune(province: Unit) -> Unit:
    communes = Unit.objects.filter(parent=province, kind=UnitKind.COMMUNE).order_by("code")
    # Active members per unit in one grouped query, summed per commune by path.
    per_unit = (
        Member.objects.in_subtree(province.path)
        .active()
        .order_by()
        .values_list("unit__path")
        .annotate(n=Count("pk"))
    )
    counts = list(per_unit)
    return max(communes, key=lambda c: sum(n for path, n in counts if path.startswith(c.path)))


def create_personas(province: Unit, *, seed: int, admin) -> list[dict]:
    """bench-province (admin), bench-commune (staff of the largest commune), bench-secretary
    (secretary of a cell of about 25 members, linked to its secretary's office), bench-viewer
    (viewer over the province); two-factor devices where the TOTP app is installed."""
    commune = _largest_commune(province)
    cells = _active_count(
        Unit.objects.subtree(province.path).active().filter(kind__in=CELL_KINDS)
    ).order_by("code", "path")
    cell = min(cells, key=lambda c: (abs(c.active - SECRETARY_CELL_SIZE), c.name, c.path))
    officer = (
        Officer.objects.filter(unit=cell, role=OfficerRole.SECRETARY, ends_on__isnull=True)
        .select_related("member")
        .first()
    )
    secretary = _user("bench-secretary", officer.member.full_name if officer else "Bí thư Chi bộ")
    if officer is not None:
        Officer.objects.filter(pk=officer.pk).update(user=secretary)
    commune_user = _user("bench-commune", "Cán bộ Tổ chức Đảng ủy")
    viewer = _user("bench-viewer", "Lãnh đạo Tỉnh ủy")
    rows = [
        (admin, province, Role.ADMIN),
        (commune_user, commune, Role.STAFF),
        (secretary, cell, Role.SECRETARY),
        (viewer, province, Role.VIEWER),
    ]
    personas = []
    totp = apps.is_installed(TOTP_MODEL)
    for user, unit, role in rows:
        if user != admin:
            Assignment.objects.create(user=user, unit=unit, role=role)
        key = None
        if totp and _needs_device(user, unit):
            from django_otp.plugins.otp_totp.models import TOTPDevice

            key = totp_key(seed, user.username)
            TOTPDevice.objects.create(user=user, name="bench", key=key, confirmed=True)
        personas.append(
            {
                "username": user.username,
                "password": password(),
                "unit_id": unit.pk,
                "unit": unit.name,
                "role": role,
                "totp_key": key,
            }
        )
    return personas


def write_personas(path: Path, personas: list[dict], extra: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({**extra, "personas": personas}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )


def admin_user(province: Unit):
    """bench-province: administrator over the province (the author of the reorganisations)."""
    user = _user("bench-province", "Ban Tổ chức Tỉnh ủy")
    Assignment.objects.create(user=user, unit=province, role=Role.ADMIN)
    return user


def _needs_device(user, unit: Unit) -> bool:
    try:
        from accounts.twofactor import required_by_role
    except ImportError:
        return not unit.is_cell
    return required_by_role(user)
