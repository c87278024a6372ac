"""Fixtures of the report tests: the small trees of trees.py where every figure is known."""

import pytest

from tests.reports.trees import build_handover, build_year_2025


@pytest.fixture
def year_2025(tree):
    return build_year_2025(tree)


@pytest.fixture
def handover(db, superuser_admin):
    """District X hands commune C to city Y on 31/12/2019 (trees.build_handover); the
    dashboard tests have their own, larger handover."""
    return build_handover(superuser_admin)
