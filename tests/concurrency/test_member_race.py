"""Two secretaries save the same member at the same moment: one save wins, the other is
refused as stale, and the record holds the winner's values (PostgreSQL: real row locks)."""

import pytest

from members.models import Member
from members.services import member_update
from tests.concurrency.threads import at_once, only_postgresql, refusals, unexpected
from tests.factories import MemberFactory, UnitFactory, persona
from units.concurrency import edit_token
from units.models import Role, UnitKind

pytestmark = [only_postgresql, pytest.mark.django_db(transaction=True)]


def test_of_two_simultaneous_saves_of_a_member_one_is_refused_and_none_is_lost():
    province = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Điện Biên")
    cell = UnitFactory(parent=province, kind=UnitKind.BASE_CELL, name="Chi bộ Sở Tư pháp")
    first = persona(cell, Role.SECRETARY, "Lò Thị Hương", "huong.lt")
    second = persona(province, Role.STAFF, "Quàng Văn Thanh", "thanh.qv")
    member = MemberFactory(unit=cell)

    def save(by, hometown):
        def prepare():  # the edit page is opened: the record and its token are read
            return Member.objects.get(pk=member.pk), edit_token(member)

        def write(state):
            opened, token = state
            return member_update(member=opened, by=by, token=token, hometown=hometown)

        return prepare, write

    results = at_once(save(first, "Mường Mươn"), save(second, "Sa Lông"))
    assert unexpected(results) == [] and len(refusals(results)) == 1
    winner = next(r for r in results if isinstance(r, Member))
    assert Member.objects.get(pk=member.pk).hometown == winner.hometown
