"""Every statistics export opens in LibreOffice: soffice converts it to PDF (the acceptance of
issue 6). Skipped where soffice is not installed, unless CHIBO_REQUIRE_LIBREOFFICE=1 (CI)."""

import subprocess

import pytest
from django.urls import reverse

from reports.export_views import EXPORTS
from tests.conftest import SOFFICE
from tests.factories import VillageFactory
from tests.reports.trees import build_year_2025

pytestmark = pytest.mark.libreoffice


def test_every_export_converts_to_pdf(tree, district_admin, client_for, tmp_path):
    build_year_2025(tree)
    VillageFactory(commune=tree.commune_a, cell=tree.cell_a1)
    client = client_for(district_admin)
    files = []
    for name in EXPORTS:
        response = client.get(
            reverse(name, args=[tree.district.pk]), {"start": "01/01/2025", "end": "31/12/2025"}
        )
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(response.content)
        files.append(path)
    # A profile of its own, so parallel test workers do not share one LibreOffice instance.
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    result = subprocess.run(
        [SOFFICE or "soffice", profile, "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
    )  # fmt: skip
    pdfs = [tmp_path / f"{name}.pdf" for name in EXPORTS]
    assert [p.name for p in pdfs if p.exists() and p.stat().st_size > 1000] == [
        p.name for p in pdfs
    ], result.stderr
