"""Every page of the project, swept for scope leaks.

The URL patterns come from the resolver, not from a hand-kept list, so a new view is swept the
day it is added. Each pattern that takes an object id is filled with each object of commune B
and requested (GET and POST) by four people of other subtrees: the secretary of cell A1, the
staff of commune A, a read-only viewer of district E and an administrator of district E. All
must get 404 every time, and commune B must be left exactly as it was; so must the pages that
take a unit in the query string (`?unit=`). A viewer of the district above commune B sees it
but gets 403 on every POST. A pattern must be in the sweep map (ids), or listed as PUBLIC or
SCOPED_PAGES (no id: the scoped pages are searched for commune B's names); a new one that is in
none of them fails the sweep until it is placed.
"""

import inspect
import io
from datetime import date

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from meetings.models import Meeting, Task, ThematicPlan
from members.models import Candidate, ImportBatch, Member
from members.views import EVENT_ACTIONS
from reports.models import Resolution, Target
from tests.factories import (
    CandidateFactory,
    MemberFactory,
    UnitFactory,
    VillageFactory,
    persona,
)
from tests.meetings.factories import log_meeting
from units.access import scope_for
from units.models import Officer, ReorgEvent, ReorgKind, Role, Unit, UnitKind, Village

SKIPPED_NAMESPACES = {"admin"}
# Patterns without an id that hold no unit's data: signing in and out, one's own account, the
# blank import template.
PUBLIC = {
    "login",
    "logout",
    "account",
    "two_factor_verify",
    "two_factor_setup",
    "password_change",
    "member_import_template",
}
# Patterns without an id that show data of the user's scope: searched for commune B's names.
SCOPED_PAGES = {
    "home",
    "unit_tree",
    "member_list",
    "member_create",
    "member_transfer_in",
    "member_export",
    "member_import",
    "member_import_progress",
    "admission_create",
    "meetings_home",
    "report_home",
    "audit_list",
}
# Pages that open on the unit named by `?unit=` (404 out of scope, 403 read-only).
QUERY_UNIT_PATTERNS = {"member_create", "member_transfer_in", "admission_create"}
NO_LOGIN = {"login", "logout"}
# Every POST by a read-only user is refused: 403 (404 where the object does not fit the page for
# anyone, e.g. a commune on a cell's meeting page; 405 where the page only reads).
# Pages with an id that only read (GET and HEAD): a POST is 405 for everyone.
READ_ONLY_PAGES = {
    "unit_detail",
    "member_detail",
    "meeting_detail",
    "meeting_minutes",
    "meeting_list",
    "meeting_cell_tasks",
    "meeting_member_tasks",
    "meeting_alerts",
    "meeting_board",
    "meeting_grid",
}


def _unit_edit(unit) -> dict:
    return {
        "kind": unit.kind,
        "category": unit.category,
        "name": f"{unit.name} (đã sửa)",
        "short_name": unit.short_name,
        "code": unit.code,
        "founded_on": unit.founded_on.strftime("%d/%m/%Y") if unit.founded_on else "",
        "dissolved_on": "",
    }


def _new_unit(parent) -> dict:
    return {"kind": UnitKind.SUB_CELL, "category": "village", "name": "Chi bộ lạ", "code": ""}


def _new_village(commune) -> dict:
    return {"name": "Bản Lạ", "kind": "hamlet", "cell": ""}


def _village_edit(village) -> dict:
    return {"name": "Bản đã sửa", "kind": village.kind, "cell": ""}


def _member_edit(member) -> dict:
    data = {}
    for name, value in model_to_dict(member).items():
        if isinstance(value, date):
            value = value.strftime("%d/%m/%Y")
        data[name] = "" if value is None else value
    return {**data, "full_name": "Người Đã Sửa", "unit": member.unit_id}


def _meeting_edit(meeting) -> dict:
    from tests.meetings.factories import form_data

    return form_data(meeting.held_on, version=meeting.version, content="Đã sửa")


def _member_event(member) -> dict:
    """Every field any membership event form asks for."""
    return {
        "on": "01/02/2026",
        "until": "01/08/2026",
        "reason": "work",
        "scope": "other_district",
        "place": "Đảng bộ xã lạ",
        "to_unit": member.unit_id,
        "unit": member.unit_id,
        "decision_number": "99-QĐ/ĐU",
    }


def _nothing(obj) -> dict:
    return {}


def _meeting_edit_for_cell(unit) -> dict:
    from tests.meetings.factories import form_data

    return form_data(date(2026, 1, 10))


def _new_plan(unit) -> dict:
    return {"year": 2026, "quarter": 4, "topic": "Chủ đề lạ"}


def _reorganise(unit) -> dict:
    return {
        "effective_on": "01/06/2026",
        "decision_number": "99-QĐ/TU",
        "name": "Tên lạ",
        "kind": UnitKind.SUB_CELL,
        "category": "village",
        "confirm": "1",
    }


def _new_officer(unit) -> dict:
    return {"role": "secretary", "starts_on": "01/01/2026", "member": ""}


def _new_term(unit) -> dict:
    return {"name": "2026-2031", "starts_on": "01/01/2026"}


def _badge_award(unit) -> dict:
    members = Member.objects.filter(unit__path__startswith=unit.path)
    return {
        "year": 2026,
        "member": [m.pk for m in members],
        "decision_number": "99-QĐ/TU",
        "awarded_on": "01/01/2026",
    }


def _candidate_edit(candidate) -> dict:
    return {**_member_edit(candidate), "full_name": "Người Đã Sửa", "unit": candidate.unit_id}


def _candidate_stages(candidate) -> dict:
    return {"awareness_class_on": "01/02/2026", "background_checked_on": "02/02/2026"}


def _withdraw(candidate) -> dict:
    return {"withdrawn_on": "01/02/2026", "reason": "Lý do lạ"}


def _admit(candidate) -> dict:
    return {"province_consent": "on"}


def _resolution(obj) -> dict:
    return {"number": "99-NQ/ĐU", "title": "Nghị quyết lạ", "start_year": 2021, "end_year": 2025}


def _target(obj) -> dict:
    unit_id = obj.issuer_id if isinstance(obj, Resolution) else obj.unit_id
    return {"unit": unit_id, "kind": "admissions", "year": 2022, "value": "9"}


# url name: {id kwarg: (which objects of commune B fill it, what a POST sends)}
ID_PATTERNS = {
    "unit_detail": {"pk": ("units", _unit_edit)},
    "unit_edit": {"pk": ("units", _unit_edit)},
    "unit_create": {"parent_pk": ("units", _new_unit)},
    "village_create": {"commune_pk": ("units", _new_village)},
    "village_edit": {"pk": ("villages", _village_edit)},
    "member_detail": {"pk": ("members", _member_edit)},
    "member_edit": {"pk": ("members", _member_edit)},
    "member_sensitive": {"pk": ("members", _nothing)},
    "meeting_list": {"cell_pk": ("units", _nothing)},
    "meeting_create": {"cell_pk": ("units", _meeting_edit_for_cell)},
    "meeting_cell_tasks": {"cell_pk": ("units", _nothing)},
    "meeting_member_tasks": {"member_pk": ("members", _nothing)},
    "meeting_detail": {"pk": ("meetings", _meeting_edit)},
    "meeting_edit": {"pk": ("meetings", _meeting_edit)},
    "meeting_minutes": {"pk": ("meetings", _nothing)},
    "meeting_task_done": {"pk": ("tasks", _nothing)},
    "meeting_plans": {"unit_pk": ("units", _new_plan)},
    "meeting_plan_accept": {"pk": ("plans", _nothing)},
    "meeting_grid": {"unit_pk": ("units", _nothing)},
    "meeting_board": {"unit_pk": ("units", _nothing)},
    "meeting_alerts": {"unit_pk": ("units", _nothing)},
    "unit_reorganise": {"pk": ("units", _reorganise)},
    "officer_create": {"pk": ("units", _new_officer)},
    "officer_end": {"pk": ("officers", _nothing)},
    "term_create": {"pk": ("units", _new_term)},
    "member_import_preview": {"pk": ("imports", _nothing)},
    "member_import_commit": {"pk": ("imports", _nothing)},
    "member_register_export": {"unit_pk": ("units", _nothing)},
    "member_probation": {"unit_pk": ("units", _nothing)},
    "report_exports": {"unit_pk": ("units", _nothing)},
    "export_increase_decrease": {"unit_pk": ("units", _nothing)},
    "export_structure": {"unit_pk": ("units", _nothing)},
    "export_organisations": {"unit_pk": ("units", _nothing)},
    "export_meetings": {"unit_pk": ("units", _nothing)},
    "report_dashboard": {"unit_pk": ("units", _nothing)},
    "resolution_list": {"unit_pk": ("units", _nothing)},
    "resolution_create": {"unit_pk": ("units", _resolution)},
    "resolution_detail": {"pk": ("resolutions", _nothing)},
    "resolution_edit": {"pk": ("resolutions", _resolution)},
    "target_create": {"pk": ("resolutions", _target)},
    "target_edit": {"pk": ("targets", _target)},
    "target_delete": {"pk": ("targets", _nothing)},
    "member_event": {"pk": ("members", _member_event)},
    "badge_list": {"unit_pk": ("units", _nothing)},
    "badge_award": {"unit_pk": ("units", _badge_award)},
    "badge_export": {"unit_pk": ("units", _nothing)},
    "member_quality": {"unit_pk": ("units", _nothing)},
    "admission_board": {"unit_pk": ("units", _nothing)},
    "admission_detail": {"pk": ("candidates", _candidate_edit)},
    "admission_edit": {"pk": ("candidates", _candidate_edit)},
    "admission_sensitive": {"pk": ("candidates", _nothing)},
    "admission_stages": {"pk": ("candidates", _candidate_stages)},
    "admission_withdraw": {"pk": ("candidates", _withdraw)},
    "admission_admit": {"pk": ("candidates", _admit)},
}
# Patterns that also take a word, not an id: every value is swept.
OTHER_KWARGS = {
    "unit_reorganise": {"kind": [k.value for k in ReorgKind]},
    "member_event": {"action": list(EVENT_ACTIONS)},
}


def project_patterns(patterns=None, prefix="", kwargs=()):
    """(route, name, id kwargs) of every URL pattern, through includes, admin left out."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        names = (*kwargs, *p.pattern.regex.groupindex)
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if p.namespace in SKIPPED_NAMESPACES or p.app_name in SKIPPED_NAMESPACES:
                continue
            yield from project_patterns(p.url_patterns, route, names)
        elif isinstance(p, URLPattern):
            if route.startswith("static/"):
                continue
            yield route, p.name, tuple(names)


def id_patterns():
    """(route, name, id kwargs): the other kwargs (OTHER_KWARGS) are not ids."""
    return [
        (route, name, tuple(k for k in kw if k not in OTHER_KWARGS.get(name, {})))
        for route, name, kw in project_patterns()
        if kw
    ]


def _variants(name):
    """Each combination of the pattern's non-id kwargs ({} when it has none)."""
    other = OTHER_KWARGS.get(name, {})
    if not other:
        return [{}]
    ((key, values),) = other.items()
    return [{key: value} for value in values]


@pytest.fixture
def commune_b(tree):
    """Everything commune B holds: its units, a village and a member living there."""
    village = VillageFactory(commune=tree.commune_b, name="Bản Nậm Chua", cell=tree.cell_b1)
    member = MemberFactory(
        unit=tree.cell_b1, full_name="Vàng A Chứ", residence_village=village, phone=""
    )
    secretary_b = persona(tree.cell_b1, Role.SECRETARY, "Giàng A Sử", "su.ga.sweep")
    meeting = log_meeting(tree.cell_b1, secretary_b, date(2026, 1, 10))
    task = Task.objects.create(meeting=meeting, member=member, text="Vận động hộ nghèo")
    officer = Officer.objects.create(
        unit=tree.cell_b1, member=member, role="secretary", starts_on=date(2025, 1, 1)
    )
    plan = ThematicPlan.objects.create(cell=tree.cell_b1, year=2026, quarter=2, topic="Chủ đề")
    batch = ImportBatch.objects.create(
        user=secretary_b, unit=tree.cell_b1, file_name="chi-bo-b1.xlsx", rows=[]
    )
    candidate = CandidateFactory(unit=tree.cell_b1, full_name="Thào Thị Dua", sponsor_1=member)
    resolution = Resolution.objects.create(
        number="02-NQ/ĐU", issuer=tree.commune_b, title="Nghị quyết", start_year=2021, end_year=2025
    )
    target = Target.objects.create(
        resolution=resolution, unit=tree.commune_b, kind="admissions", value=5
    )
    return {
        "units": [tree.commune_b, tree.cell_b1],
        "villages": [village],
        "members": [member],
        "meetings": [meeting],
        "tasks": [task],
        "plans": [plan],
        "officers": [officer],
        "imports": [batch],
        "candidates": [candidate],
        "resolutions": [resolution],
        "targets": [target],
    }


def snapshot(objects) -> dict:
    """The stored state of commune B: every field and every history record, and row counts."""
    state = {
        "rows": (
            Unit.objects.count(),
            Village.objects.count(),
            Member.objects.count(),
            Meeting.objects.count(),
            Task.objects.count(),
            ThematicPlan.objects.count(),
            Officer.objects.count(),
            ReorgEvent.objects.count(),
            ImportBatch.objects.count(),
            Candidate.objects.count(),
            Resolution.objects.count(),
            Target.objects.count(),
        ),
    }
    for group in objects.values():
        for obj in group:
            fresh = type(obj).objects.get(pk=obj.pk)
            history = fresh.history.count() if hasattr(fresh, "history") else None
            state[(type(obj).__name__, obj.pk)] = (model_to_dict(fresh), history)
    return state


def pages_without_an_id() -> set[str]:
    return {name for _route, name, kwargs in project_patterns() if not kwargs}


def reads_unit_from_query(name: str) -> bool:
    """Whether the view behind `name` reads `?unit=` (its source, decorators unwrapped)."""
    body = inspect.getsource(inspect.unwrap(get_resolver().resolve(reverse(name)).func))
    return any(s in body for s in ("initial_unit(", 'GET.get("unit"', 'GET["unit"]'))


@pytest.fixture
def outsiders(tree, secretary_a, commune_staff_a):
    """Four people of other subtrees than commune B, each signed in."""
    district_e = UnitFactory(
        parent=tree.province, kind=UnitKind.DISTRICT, name="Đảng bộ huyện Tuần Giáo"
    )
    UnitFactory(parent=district_e, kind=UnitKind.COMMUNE, name="Đảng bộ xã Quài Tở")
    return {
        "secretary of cell A1": secretary_a,
        "staff of commune A": commune_staff_a,
        "viewer of district E": persona(district_e, Role.VIEWER, "Lò Văn Ún", "un.lv"),
        "admin of district E": persona(district_e, Role.ADMIN, "Cầm Thị Mai", "mai.ct"),
    }


def requests_with_an_id(commune_b):
    """(pattern, url, POST data) for every pattern with an id, every object of commune B in
    it, and every `?unit=` page with each unit of commune B."""
    for _route, name, kwargs in id_patterns():
        (kwarg,) = kwargs  # every pattern of the map takes one id
        group, payload = ID_PATTERNS[name][kwarg]
        for obj in commune_b[group]:
            for extra in _variants(name):
                yield name, reverse(name, kwargs={kwarg: obj.pk, **extra}), payload(obj)
    for name in sorted(QUERY_UNIT_PATTERNS):
        for unit in commune_b["units"]:
            yield f"{name}?unit=", f"{reverse(name)}?unit={unit.pk}", {"unit": unit.pk}


def test_every_pattern_with_an_id_is_in_the_sweep_map():
    found = {name: set(kw) for _route, name, kw in id_patterns()}
    unknown = {
        name: kw
        for name, kw in found.items()
        if name not in ID_PATTERNS or kw != set(ID_PATTERNS[name])
    }
    assert unknown == {}, "add these URL patterns to ID_PATTERNS in tests/test_scope_sweep.py"


def test_every_pattern_without_an_id_is_public_or_a_scoped_page():
    unplaced = pages_without_an_id() - PUBLIC - SCOPED_PAGES
    assert unplaced == set(), "add these to PUBLIC or SCOPED_PAGES in tests/test_scope_sweep.py"


def test_sweep_lists_name_only_patterns_that_exist():
    names = {name for _route, name, _kw in id_patterns()}
    stale = (set(ID_PATTERNS) - names) | (PUBLIC | SCOPED_PAGES) - pages_without_an_id()
    assert stale == set()


def test_every_page_that_reads_a_unit_from_the_query_is_swept_with_one():
    readers = {name for name in SCOPED_PAGES if reads_unit_from_query(name)}
    assert readers == QUERY_UNIT_PATTERNS


def test_no_page_with_an_id_opens_commune_b_to_other_subtrees(commune_b, outsiders, client_for):
    before = snapshot(commune_b)
    clients = {who: client_for(user) for who, user in outsiders.items()}
    may_edit = {who: scope_for(user).can_edit_anything for who, user in outsiders.items()}
    leaks, tries, patterns = [], 0, set()
    for name, url, payload in requests_with_an_id(commune_b):
        patterns.add(name)
        for who, client in clients.items():
            # A `?unit=` page opens only for someone who may edit somewhere: to a read-only
            # user it is refused whatever the unit (403), which tells nothing of commune B.
            expected = 403 if "?" in name and not may_edit[who] else 404
            for method in ("get", "post"):
                data = payload if method == "post" else None
                status = getattr(client, method)(url, data).status_code
                tries += 1
                # A page that only reads answers a POST with 405 before looking anything up,
                # whatever the id: that tells nothing of commune B either.
                if method == "post" and status == 405 and name in READ_ONLY_PAGES:
                    continue
                if status != expected:
                    leaks.append(f"{method.upper()} {url} ({name}) as {who}: {status}")
    print(
        f"\nscope sweep: {len(patterns)} patterns × {len(clients)} personas × {{GET, POST}} = "
        f"{tries} requests, {len(leaks)} leaks"
    )
    assert leaks == []
    assert snapshot(commune_b) == before


def test_a_viewer_above_commune_b_gets_403_on_every_post_and_changes_nothing(
    commune_b, viewer, client_for
):
    before = snapshot(commune_b)
    client = client_for(viewer)
    allowed = []
    for name, url, payload in requests_with_an_id(commune_b):
        status = client.post(url, payload).status_code
        refused = {403, 404, 405}
        if status not in refused:
            allowed.append(f"POST {url} ({name}) as a viewer: {status}")
    assert allowed == []
    assert snapshot(commune_b) == before


def page_text(response) -> str:
    """What a page shows: its HTML, or every cell of a downloaded workbook."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.content.decode()


def test_scoped_pages_show_nothing_of_commune_b_to_other_subtrees(commune_b, outsiders, client_for):
    names = ["Đảng bộ xã Sa Lông", "Chi bộ bản Nậm Chua", "Bản Nậm Chua", "Vàng A Chứ"]
    before = snapshot(commune_b)
    shown = []
    for who, user in outsiders.items():
        client = client_for(user)
        for name in sorted(SCOPED_PAGES):
            for query in ("", f"?unit={commune_b['units'][0].pk}"):
                url = reverse(name) + query
                for method in ("get", "post"):
                    response = getattr(client, method)(url, {"unit": commune_b["units"][1].pk})
                    shown += [
                        f"{method.upper()} {url} as {who}: {n}"
                        for n in names
                        if n in page_text(response)
                    ]
    assert shown == []
    assert snapshot(commune_b) == before


def test_every_page_but_login_requires_login(commune_b, client):
    login = reverse("login")
    open_pages = []
    for _route, name, kwargs in id_patterns() + [p for p in project_patterns() if not p[2]]:
        if name in NO_LOGIN:
            continue
        ids = {kw: commune_b[ID_PATTERNS[name][kw][0]][0].pk for kw in kwargs}
        ids.update(_variants(name)[0])
        url = reverse(name, kwargs=ids)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 302 or not response.url.startswith(login):
                open_pages.append(f"{method.upper()} {url}: {response.status_code}")
    assert open_pages == []
