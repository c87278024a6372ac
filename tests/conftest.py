"""Shared personas on a small tree, and the rule for browser tests.

Đảng bộ tỉnh Điện Biên (P)
└── Đảng bộ huyện Mường Chà (D)          viewer (read-only leader), district_admin
    ├── Đảng bộ xã Mường Mươn (A)        commune_staff_a
    │   ├── Chi bộ bản Mển (A1)          secretary_a
    │   └── Chi bộ bản Huổi Mí (A2)
    └── Đảng bộ xã Sa Lông (B)
        └── Chi bộ bản Nậm Chua (B1)     secretary_b
"""

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.factories import UnitFactory, persona
from units.models import Role, UnitKind

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("CHIBO_REQUIRE_BROWSER") == "1"
# Exports are opened in LibreOffice (soffice --headless) where it is installed; CI requires it.
SOFFICE = shutil.which("soffice")
REQUIRE_LIBREOFFICE = os.environ.get("CHIBO_REQUIRE_LIBREOFFICE") == "1" or REQUIRE_BROWSER


@pytest.fixture
def tree(db):
    province = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Điện Biên")
    district = UnitFactory(parent=province, kind=UnitKind.DISTRICT, name="Đảng bộ huyện Mường Chà")
    commune_a = UnitFactory(parent=district, kind=UnitKind.COMMUNE, name="Đảng bộ xã Mường Mươn")
    commune_b = UnitFactory(parent=district, kind=UnitKind.COMMUNE, name="Đảng bộ xã Sa Lông")
    return SimpleNamespace(
        province=province,
        district=district,
        commune_a=commune_a,
        cell_a1=UnitFactory(parent=commune_a, kind=UnitKind.SUB_CELL, name="Chi bộ bản Mển"),
        cell_a2=UnitFactory(parent=commune_a, kind=UnitKind.SUB_CELL, name="Chi bộ bản Huổi Mí"),
        commune_b=commune_b,
        cell_b1=UnitFactory(parent=commune_b, kind=UnitKind.SUB_CELL, name="Chi bộ bản Nậm Chua"),
    )


@pytest.fixture
def secretary_a(tree):
    return persona(tree.cell_a1, Role.SECRETARY, "Lò Thị Hương", "huong.lt")


@pytest.fixture
def commune_staff_a(tree):
    return persona(tree.commune_a, Role.STAFF, "Quàng Văn Thanh", "thanh.qv")


@pytest.fixture
def secretary_b(tree):
    return persona(tree.cell_b1, Role.SECRETARY, "Giàng A Sử", "su.ga")


@pytest.fixture
def viewer(tree):
    return persona(tree.district, Role.VIEWER, "Đặng Văn Tiến", "tien.dv")


@pytest.fixture
def district_admin(tree):
    return persona(tree.district, Role.ADMIN, "Cầm Văn Hùng", "hung.cv")


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test starts without what an earlier one kept: dashboards (reports.kept), permission
    sets (accounts.permissions), import progress."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["dashboards"].clear()


@pytest.fixture(autouse=True)
def force_login_passes_two_factor(monkeypatch):
    """`client.force_login(user)` signs in as far as the pages: for a user who needs two-factor,
    a confirmed device is created and the session marked as verified by it, as after entering
    a code. `client.force_login(user, verified=False)` stops at the password."""
    signed_in = Client.force_login

    def force_login(self, user, backend=None, verified=True):
        signed_in(self, user, backend)
        if verified:
            from tests.accounts.factories import pass_two_factor

            pass_two_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def client_for(db):
    """client_for(user): a test client logged in as `user`."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# Browser tests need a headless Chromium, LibreOffice tests soffice. Where it is missing they are
# skipped, unless CHIBO_REQUIRE_BROWSER=1 / CHIBO_REQUIRE_LIBREOFFICE=1 (CI), where a missing
# program must fail the run, not pass it quietly.


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "libreoffice: needs soffice (skipped when it is not installed, unless "
        "CHIBO_REQUIRE_LIBREOFFICE=1 or CHIBO_REQUIRE_BROWSER=1)",
    )


def pytest_collection_modifyitems(config, items):
    skip_browser = pytest.mark.skip(
        reason=f"{CHROMIUM} not found (CHIBO_REQUIRE_BROWSER=1 fails instead)"
    )
    skip_office = pytest.mark.skip(
        reason="soffice (LibreOffice) not found (CHIBO_REQUIRE_LIBREOFFICE=1 fails instead)"
    )
    for item in items:
        if item.get_closest_marker("browser") and not (CHROMIUM.exists() or REQUIRE_BROWSER):
            item.add_marker(skip_browser)
        if item.get_closest_marker("libreoffice") and not (SOFFICE or REQUIRE_LIBREOFFICE):
            item.add_marker(skip_office)


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") and REQUIRE_BROWSER and not CHROMIUM.exists():
        pytest.fail(f"CHIBO_REQUIRE_BROWSER=1 but {CHROMIUM} is not installed", pytrace=False)
    if item.get_closest_marker("libreoffice") and REQUIRE_LIBREOFFICE and not SOFFICE:
        pytest.fail(
            "CHIBO_REQUIRE_LIBREOFFICE=1 (or CHIBO_REQUIRE_BROWSER=1) but soffice is not installed",
            pytrace=False,
        )


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    browser = [r for r in skipped if "browser" in r.keywords]
    if browser:
        terminalreporter.write_line(
            f"{len(browser)} browser test(s) skipped: {CHROMIUM} is not installed "
            "(install chromium, or set CHIBO_REQUIRE_BROWSER=1 to make this an error)",
            yellow=True,
        )
    office = [r for r in skipped if "libreoffice" in r.keywords]
    if office:
        terminalreporter.write_line(
            f"{len(office)} LibreOffice test(s) skipped: soffice is not installed "
            "(install libreoffice-calc, or set CHIBO_REQUIRE_LIBREOFFICE=1 to make this an error)",
            yellow=True,
        )


@pytest.fixture
def superuser_admin(db):
    from tests.factories import UserFactory

    return UserFactory(username="quan.tri", is_superuser=True, is_staff=True)


@pytest.fixture
def commune_admin(tree):
    """An administrator of commune A, with access to the Django admin."""
    user = persona(tree.commune_a, Role.ADMIN, "Lường Thị Xuân", "xuan.lt")
    user.is_staff = True
    user.save()
    return user
