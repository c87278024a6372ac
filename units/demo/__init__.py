"""Demo data: the party organisation of Sìn Hồ district (Lai Châu) as of 26/10/2020.

Seed 001 (Báo Lai Châu, 26/10/2020) gives the figures reproduced exactly: 55 grassroots
organisations, of which 22 commune and town committees; 310 subordinate cells; 3,882 members.
Pa Tần commune: 18 cells and 170 members, no cell under 3 members, no white village; the cell of
bản Lồng Thàng founded during the 2015-2020 term. The communes are the real ones of 2020; the
villages, people, dates and numbers are invented but plausible, drawn from a fixed random seed,
so every load gives the same data. No person in the demo is a real person.
"""

from units.demo.build import DemoSummary, build_demo, demo_exists, reset_demo, summarize
from units.demo.data import AS_OF, DEMO_LOGINS, DEMO_PASSWORD, DEMO_USERNAMES

__all__ = [
    "AS_OF",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_USERNAMES",
    "DemoSummary",
    "build_demo",
    "demo_exists",
    "reset_demo",
    "summarize",
]
