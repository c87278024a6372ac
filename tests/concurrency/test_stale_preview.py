"""A reorganisation is confirmed only on the tree its preview showed: when the units changed in
between, the confirmation is refused, nothing changes, and a new preview is shown."""

import re
from datetime import date

import pytest
from django.utils.translation import gettext

from tests.factories import persona
from units.models import Role, Unit
from units.reorganisation import STALE_PREVIEW, preview_token, reorg_move


def decision(**extra) -> dict:
    return {"effective_on": "01/06/2024", "decision_number": "125-QĐ/ĐU", "note": "", **extra}


def token_on(response) -> str:
    return re.search(r'name="tree_token" value="([^"]*)"', response.content.decode())[1]


@pytest.fixture
def district_staff(tree):
    return persona(tree.district, Role.STAFF, "Lò Thị Xuân", "xuan.lt2")


@pytest.fixture
def previewed(tree, district_staff, client_for):
    """The district staff previewed moving cell A1 under commune B: (client, url, page)."""
    client = client_for(district_staff)
    url = f"/units/{tree.cell_a1.pk}/reorganise/move/"
    return client, url, client.post(url, decision(new_parent=tree.commune_b.pk))


def _meanwhile(tree, by):
    """Someone else moves cell A2 under commune B: commune B's units are not what was shown."""
    on = date(2024, 6, 1)
    reorg_move(unit=tree.cell_a2, new_parent=tree.commune_b, on=on, decision_number="7", by=by)


def test_confirming_a_move_after_the_units_changed_is_refused_and_changes_nothing(
    tree, previewed, district_admin
):
    client, url, page = previewed
    _meanwhile(tree, district_admin)
    response = client.post(url, decision(new_parent=tree.commune_b.pk, confirm="1",
                                         tree_token=token_on(page)))  # fmt: skip
    assert gettext(STALE_PREVIEW) in response.content.decode()
    assert Unit.objects.get(pk=tree.cell_a1.pk).parent_id == tree.commune_a.pk


def test_the_refusal_shows_a_new_preview_that_can_be_confirmed(tree, previewed, district_admin):
    client, url, page = previewed
    _meanwhile(tree, district_admin)
    data = decision(new_parent=tree.commune_b.pk, confirm="1")
    refused = client.post(url, {**data, "tree_token": token_on(page)})
    assert client.post(url, {**data, "tree_token": token_on(refused)}).status_code == 302
    assert Unit.objects.get(pk=tree.cell_a1.pk).parent_id == tree.commune_b.pk


def test_confirming_an_unchanged_preview_goes_through(tree, previewed):
    client, url, page = previewed
    data = decision(new_parent=tree.commune_b.pk, confirm="1", tree_token=token_on(page))
    assert client.post(url, data).status_code == 302


def test_a_garbled_preview_token_is_refused_cleanly(tree, previewed):
    client, url, _page = previewed
    data = decision(new_parent=tree.commune_b.pk, confirm="1", tree_token="x' OR 1=1")
    response = client.post(url, data)
    assert response.status_code == 200 and gettext(STALE_PREVIEW) in response.content.decode()


def test_the_preview_token_changes_when_a_unit_under_the_target_changes(tree, district_admin):
    before = preview_token(unit=tree.cell_a1, new_parent=tree.commune_b)
    _meanwhile(tree, district_admin)
    assert preview_token(unit=tree.cell_a1, new_parent=tree.commune_b) != before
