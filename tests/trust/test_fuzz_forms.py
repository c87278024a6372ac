"""Every form of the project, posted with hostile values: never a server error, never a partial
write.

The pages come from the URL resolver through the scope sweep's machinery
(tests/test_scope_sweep.py), so a new page is fuzzed the day it is added; its ids are filled with
the objects of commune B that the sweep builds, and requested by the district admin (whose scope
covers commune B) and, for the cell secretary's pages, by the secretary of cell B1. The fields
posted are those the page's own form shows on a GET (parsed from its HTML), starting from the
values the form holds and the sweep's valid payload, then each one kept, replaced by a hostile
value (control characters, 100,000 characters, combining marks, decomposed Vietnamese, emoji,
right-to-left and zero-width marks, impossible dates, negative, huge and non-finite numbers),
left out or sent twice.

Whatever comes back must not be a 5xx; unless it is a redirect (the form was accepted), every
table's row count and every object of commune B must be as they were. Each example runs in a
savepoint rolled back afterwards. CHIBO_FUZZ_EXAMPLES raises the examples per page (default 4).
"""

import os
import unicodedata
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.members.test_import import person, xlsx
from tests.test_scope_sweep import (  # noqa: F401 (commune_b is a fixture)
    ID_PATTERNS,
    _member_edit,
    _variants,
    commune_b,
    id_patterns,
    project_patterns,
)

EXAMPLES = int(os.environ.get("CHIBO_FUZZ_EXAMPLES", "4"))
# Rows these write whatever the form says: sign-ins, the audit trail of denials and views.
NOT_DATA = {"sessions.Session", "accounts.AuditEvent", "admin.LogEntry"}
NOT_DATA_APPS = {"axes", "otp_totp", "otp_static", "otp_email", "django_otp"}
# Pages a cell secretary works on: fuzzed as the secretary of cell B1 too.
SECRETARY_PAGES = {
    "meeting_create",
    "meeting_edit",
    "meeting_task_done",
    "meeting_plans",
    "member_import",
    "member_import_commit",
    "member_event",
}

# --- Hostile values ----------------------------------------------------------------------------

VIETNAMESE = "Nguyễn Thị Hương Giàng A Sử Lò Văn Phương"
SPECIAL = [
    "",
    " ",
    "\x00",
    "abc\x00def",
    "\x1b[31mđỏ\x1b[0m",
    "\t\r\n\x0b\x0c",
    "\u202eevil\u202c",
    "\u200b\u200c\u200d\ufeff",
    "e\u0301\u0302\u0303\u0323" * 20,
    unicodedata.normalize("NFD", VIETNAMESE),
    "🇻🇳👨‍👩‍👧‍👦🎉",
    "مرحبا שלום",
    "x" * 100_000,
    "31/02/2026",
    "01/01/0001",
    "99/99/9999",
    "00/00/0000",
    "2026-13-01",
    "29/02/2025",
    "31/12/9999",
    "1/1/10000",
    "-1",
    "0",
    str(10**30),
    str(-(10**30)),
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "1.5",
    "0x10",
    "١٢٣",  # Arabic-Indic digits
    "'; DROP TABLE members_member; --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "%s%s%s%n",
    "../../etc/passwd",
]
# What a form can carry: any character but the surrogates, which UTF-8 cannot encode.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
HOSTILE = st.one_of(
    st.sampled_from(SPECIAL),
    TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)
HOSTILE_FILE = st.one_of(
    st.binary(max_size=200),
    st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
    st.just(xlsx([person(1, **{"Ngày sinh": "31/02/2026"})])),
)

# --- The form a page shows ---------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of the page's POST forms: {name: [values as the form would post them]},
    plus the names of file inputs and the values each select offers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self.offered: dict[str, list[str]] = {}
        self.files: set[str] = set()
        self.in_post = False
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.in_post = (a.get("method") or "").lower() == "post"
        if not self.in_post or ("name" not in a and tag != "option"):
            return
        name = a.get("name")
        if tag == "input" and name != "csrfmiddlewaretoken":
            kind = (a.get("type") or "text").lower()
            self.values.setdefault(name, [])
            if kind == "file":
                self.files.add(name)
            elif kind in ("checkbox", "radio"):
                self.offered.setdefault(name, []).append(a.get("value") or "on")
                if "checked" in a:
                    self.values[name].append(a.get("value") or "on")
            elif kind not in ("submit", "button", "reset"):
                self.values[name].append(a.get("value") or "")
        elif tag == "select":
            self.select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self.select:
            value = a.get("value") or ""
            self.offered.setdefault(self.select, []).append(value)
            if "selected" in a:
                self.values[self.select].append(value)
        elif tag == "textarea":
            self.textarea = name
            self.values.setdefault(name, [""])

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea][-1] += data


def form_of(client, url) -> FormFields:
    fields = FormFields()
    response = client.get(url)
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        fields.feed(response.content.decode())
    return fields


# --- What is stored ----------------------------------------------------------------------------


def row_counts() -> dict:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label not in NOT_DATA and model._meta.app_label not in NOT_DATA_APPS
    }


def stored(objects) -> dict:
    """Every field and the history count of each object of commune B (None once deleted)."""
    state = {}
    for group in objects.values():
        for obj in group:
            fresh = type(obj).objects.filter(pk=obj.pk).first()
            if fresh is not None:
                history = fresh.history.count() if hasattr(fresh, "history") else None
                fresh = (model_to_dict(fresh), history)
            state[(type(obj).__name__, obj.pk)] = fresh
    return state


# --- The pages ---------------------------------------------------------------------------------


def _pages():
    """(url name, its id kwarg or None, the other kwargs), once per variant of each pattern; a
    pattern with an id the sweep's map does not know yet is left to the sweep, which fails."""
    with_ids = {name: kwargs for _route, name, kwargs in id_patterns()}
    for _route, name, kwargs in project_patterns():
        ids = with_ids.get(name, ())
        if ids and name not in ID_PATTERNS:
            continue
        for variant in _variants(name) if kwargs else [{}]:
            yield name, (ids[0] if ids else None), variant


PAGES = list(_pages())


def _no_id_payload(name, objects) -> dict:
    """A valid starting point for the pages that create without an id."""
    member = objects["members"][0]
    if name in ("member_create", "member_transfer_in", "admission_create"):
        return {
            **_member_edit(member),
            "citizen_id": "011099000123",
            "card_number": "",
            "transfer_on": "01/02/2026",
            "on": "01/02/2026",
        }
    if name == "member_import":
        return {"unit": member.unit_id}
    return {}


def _users(name, district_admin):
    from django.contrib.auth import get_user_model

    users = [district_admin]
    if name in SECRETARY_PAGES:
        users.append(get_user_model().objects.get(username="su.ga.sweep"))
    return users


@pytest.mark.parametrize(
    "name, kwarg, variant",
    PAGES,
    ids=[f"{n}-{'-'.join(v.values())}" if v else n for n, _k, v in PAGES],
)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_no_form_answers_a_server_error_or_writes_half_of_a_refused_post(
    commune_b,  # noqa: F811
    district_admin,
    client_for,
    name,
    kwarg,
    variant,
    data,
):
    if kwarg:
        group, payload = ID_PATTERNS[name][kwarg]
        obj = data.draw(st.sampled_from(commune_b[group]), label="object")
        url = reverse(name, kwargs={kwarg: obj.pk, **variant})
        base = payload(obj)
    else:
        url = reverse(name, kwargs=variant)
        base = _no_id_payload(name, commune_b)
    user = data.draw(st.sampled_from(_users(name, district_admin)), label="user")
    client = client_for(user)
    form = form_of(client, url)
    fields = {k: list(v) for k, v in form.values.items()}
    for key, value in base.items():
        fields.setdefault(key, value if isinstance(value, list) else [value])
    post = {}
    for key in sorted(set(fields) | form.files):
        offered = form.offered.get(key, [])
        how = data.draw(st.sampled_from(["keep", "hostile", "drop", "twice"]), label=key)
        if key in form.files:
            content = b"" if how == "drop" else data.draw(HOSTILE_FILE, label=f"{key} file")
            post[key] = SimpleUploadedFile("tệp tin.xlsx", content)
            continue
        kept = fields.get(key) or ([offered[0]] if offered else [""])
        hostile = data.draw(
            st.one_of(HOSTILE, st.sampled_from(offered)) if offered else HOSTILE, label=key
        )
        if how == "keep":
            post[key] = kept
        elif how == "hostile":
            post[key] = [hostile]
        elif how == "twice":
            post[key] = [*kept, hostile]
    with transaction.atomic():
        before = (row_counts(), stored(commune_b))
        response = client.post(url, post)
        after = (row_counts(), stored(commune_b))
        transaction.set_rollback(True)
    assert response.status_code < 500, f"POST {url}: {response.status_code}"
    if response.status_code not in (301, 302, 303):
        assert after == before, f"POST {url} answered {response.status_code} but wrote"
