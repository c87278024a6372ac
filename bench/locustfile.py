"""The load test of `bench/run` (DESIGN.md: 50 simulated users for 5 minutes, 0 errors, p95 ≤
100 ms): secretaries logging meetings, staff listing and editing members, leaders opening
dashboards, and one export of the whole member list.

Run by bench/run, which signs each persona in through the login and two-factor pages and hands
the session cookies over in BENCH_LOCUST_CONFIG (a one-time code cannot be used twice, so the
simulated users of one persona share its session; the 20 secretaries, who sign in with a
password only, each log the meetings of a cell of their own). Every response time is written to the
config's "samples" file for the runner's own percentiles. Never imported by Django code.
"""

import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.runner.forms import form_fields  # noqa: E402

CONFIG = json.loads(Path(os.environ["BENCH_LOCUST_CONFIG"]).read_text())
TARGETS = CONFIG["targets"]
# Seconds a simulated user waits between two actions (reading a page, filling in a form).
THINK_SECONDS = CONFIG.get("think_seconds", (5, 15))
# Response times of the first seconds are not kept (each server process compiles its templates
# and fills its caches on its first requests of a page); failures always are.
WARMUP_SECONDS = CONFIG.get("warmup_seconds", 30)
STARTED = time.monotonic()
TIMES: dict[str, list[float]] = {}
WARMUP: dict[str, int] = {}
FAILURES: list[str] = []


@events.test_start.add_listener
def _started(environment, **kwargs):
    global STARTED
    STARTED = time.monotonic()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    if time.monotonic() - STARTED >= WARMUP_SECONDS or name == "export":
        TIMES.setdefault(name, []).append(response_time)
    else:
        WARMUP[name] = WARMUP.get(name, 0) + 1
    if exception is not None:
        FAILURES.append(f"{request_type} {name}: {exception!r}"[:300])


@events.quitting.add_listener
def _write(environment, **kwargs):
    Path(CONFIG["samples"]).write_text(
        json.dumps({"times": TIMES, "warmup": WARMUP, "failures": FAILURES})
    )


def _past_day(founded: str | None) -> date:
    first = date.fromisoformat(founded) if founded else date.today() - timedelta(days=3 * 365)
    span = max((date.today() - first).days - 2, 1)
    return date.today() - timedelta(days=random.randint(1, span))


class Persona(HttpUser):
    abstract = True
    persona = ""
    wait_time = between(*THINK_SECONDS)

    def on_start(self):
        self.client.cookies.update(CONFIG["cookies"][self.persona])

    def get(self, url, name):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(
                    f"status {r.status_code} {r.error!r}" if r.error else f"status {r.status_code}"
                )
            return r

    def post_form(self, url, page, name, changes, contains=""):
        data = form_fields(page.text, contains=contains)
        data.update(changes)
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True,
            headers={"Referer": self.host + url},
        ) as r:  # fmt: skip
            if r.status_code != 302:
                r.failure(f"status {r.status_code}: not saved")


class Secretary(Persona):
    """A cell secretary of a cell of their own (bench_prepare's secretaries, in turn)."""

    persona = "secretary"
    weight = 20
    started = 0

    def on_start(self):
        secretaries = CONFIG["secretaries"]
        self.secretary = secretaries[Secretary.started % len(secretaries)]
        Secretary.started += 1
        self.client.cookies.update(self.secretary["cookies"])

    @task(2)
    def meetings(self):
        self.get(f"/meetings/cells/{self.secretary['cell_id']}/", "meetings of the cell")

    @task(1)
    def log_meeting(self):
        day = _past_day(self.secretary["cell_founded_on"])
        url = f"/meetings/cells/{self.secretary['cell_id']}/new/?as_of={day:%d/%m/%Y}"
        page = self.get(url, "meeting form")
        if page.status_code == 200:
            changes = {
                "held_on": f"{day:%d/%m/%Y}",
                "kind": "regular",
                "content": "Quán triệt nghị quyết; kiểm điểm công tác tháng.",
            }
            self.post_form(url, page, "save meeting", changes, contains="roster")


class Staff(Persona):
    persona = "commune"
    weight = 15
    started = 0

    def on_start(self):
        super().on_start()
        # Each simulated staff member edits members of their own: two people saving the same
        # record at once get the stale-save refusal, which is right, but not what is measured.
        number = Staff.started
        Staff.started += 1
        self.own_members = TARGETS["member_ids"][number % 50 :: 50] or TARGETS["member_ids"]

    @task(3)
    def member_list(self):
        self.get(f"/members/?unit={TARGETS['commune_id']}", "member list (commune)")

    @task(2)
    def search(self):
        self.get(f"/members/?q={TARGETS['search'].replace(' ', '+')}", "member search")

    @task(2)
    def member_page(self):
        self.get(f"/members/{random.choice(TARGETS['member_ids'])}/", "member page")

    @task(1)
    def edit_member(self):
        url = f"/members/{random.choice(self.own_members)}/edit/"
        page = self.get(url, "member form")
        if page.status_code == 200:
            changes = {"notes": f"Cập nhật {time.strftime('%d/%m/%Y %H:%M:%S')}"}
            self.post_form(url, page, "save member", changes, contains="full_name")


class Leader(Persona):
    persona = "province"
    weight = 14

    @task(3)
    def province_dashboard(self):
        self.get(f"/reports/units/{TARGETS['province_id']}/", "dashboard (province)")

    @task(1)
    def commune_dashboard(self):
        self.get(f"/reports/units/{TARGETS['commune_id']}/", "dashboard (commune)")

    @task(1)
    def board(self):
        self.get(f"/meetings/units/{TARGETS['province_id']}/board/", "meeting board")


class Exporter(Persona):
    """One export of the province's whole member list, then nothing more."""

    persona = "province"
    fixed_count = 1
    done = False

    def wait_time(self):
        return 3600 if self.done else 5

    @task
    def export(self):
        if not self.done:
            self.done = True
            with self.client.get(
                "/members/export.xlsx", name="export", catch_response=True, timeout=300
            ) as r:
                if r.status_code != 200:
                    r.failure(f"status {r.status_code}")
