"""Fixtures shared by the meeting tests: the clock a few days after the meetings they log, and
a meeting of three members in a cell of each commune."""

import pytest
import time_machine

from tests.meetings.factories import DAY, TODAY, log_meeting, members_in


@pytest.fixture
def after_day():
    """The clock frozen on TODAY, a few days after the meetings logged on DAY."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def meeting_a(tree, secretary_a):
    members_in(tree.cell_a1, 3)
    return log_meeting(tree.cell_a1, secretary_a, DAY)


@pytest.fixture
def meeting_b(tree, secretary_b):
    members_in(tree.cell_b1, 3)
    return log_meeting(tree.cell_b1, secretary_b, DAY)
