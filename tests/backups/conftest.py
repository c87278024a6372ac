"""Data worth backing up: a small tree with members, a meeting, history and an audit event."""

from datetime import date

import pytest
from django.utils import translation

from accounts.audit import record
from accounts.models import AuditKind
from tests.factories import MemberFactory, VillageFactory, persona
from tests.meetings.factories import log_meeting
from units.models import Role


@pytest.fixture
def filled(tree):
    village = VillageFactory(commune=tree.commune_a, name="Bản Mển", cell=tree.cell_a1)
    for name in ("Lò Văn Phương", "Quàng Thị Bình", "Cầm Văn Hặc"):
        MemberFactory(unit=tree.cell_a1, full_name=name, residence_village=village)
    secretary = persona(tree.cell_a1, Role.SECRETARY, "Lò Thị Hương", "huong.lt")
    log_meeting(tree.cell_a1, secretary, date(2026, 1, 10))
    record(AuditKind.EXPORT, user=secretary, detail={"rows": 3, "form": "Biểu 1"})
    return tree


@pytest.fixture(autouse=True)
def english():
    """The commands' messages in their English source text, whatever the catalogue holds."""
    with translation.override("en"):
        yield
