"""Charts drawn on the server as SVG, each with its figures in a table beside it."""

import re
from datetime import date

from django.urls import reverse

from reports.charts import COLUMN_HEIGHT, columns, rows
from reports.models import Resolution, Target
from reports.selectors import ChartPoint
from tests.factories import MemberFactory


def test_column_heights_follow_the_values_on_a_round_axis():
    chart = columns([ChartPoint("2024", 100), ChartPoint("2025", 50)])

    tall, short = chart.bars
    assert chart.grid[-1].text == "100"
    assert tall.height == 2 * short.height


def test_a_year_below_its_target_is_marked_behind():
    chart = columns([ChartPoint("2024", 180, target=250), ChartPoint("2025", 260, target=250)])

    behind, ahead = chart.bars
    assert (behind.behind, ahead.behind) == (True, False)
    assert behind.target_pos == ahead.target_pos < COLUMN_HEIGHT


def test_unit_rows_link_to_each_units_dashboard():
    chart = rows(
        [ChartPoint("Đảng bộ xã Sa Lông", 75.0, unit_pk=7)], href=lambda p: f"/u/{p.unit_pk}"
    )

    assert chart.bars[0].href == "/u/7"
    assert chart.bars[0].text == "75,0%"


def _section(response, chart_id: str) -> str:
    html = response.content.decode()
    start = html.find(f'id="{chart_id}"')
    return html[start : html.find("</figure>", start)] if start >= 0 else ""


def test_dashboard_draws_members_over_the_years_with_the_figures_in_a_table(
    tree, viewer, client_for
):
    MemberFactory(unit=tree.cell_a1, admitted_on=date(2020, 5, 1), birth_date=date(1990, 1, 1))
    MemberFactory(unit=tree.cell_b1, admitted_on=date(2023, 5, 1), birth_date=date(1990, 1, 1))

    response = client_for(viewer).get(
        reverse("report_dashboard", args=[tree.district.pk]) + "?as_of=30/06/2024"
    )
    chart = _section(response, "chart-members")

    assert '<svg class="chart-svg' in chart and 'role="img"' in chart
    cells = dict(re.findall(r'data-value="([^"]+)">([^<]*)<', chart))
    assert (cells["2022"], cells["2023"], cells["30/06/2024"]) == ("1", "2", "2")


def test_admissions_chart_shows_the_target_beside_each_year(tree, viewer, client_for):
    resolution = Resolution.objects.create(
        number="03-NQ/HU", issuer=tree.district, title="Phát triển đảng viên", start_year=2021,
        end_year=2025,
    )  # fmt: skip
    Target.objects.create(resolution=resolution, unit=tree.district, kind="admissions", value=4)
    MemberFactory(unit=tree.cell_a1, admitted_on=date(2024, 5, 1), birth_date=date(1990, 1, 1))

    response = client_for(viewer).get(
        reverse("report_dashboard", args=[tree.district.pk]) + "?as_of=30/06/2025"
    )
    chart = _section(response, "chart-admissions")

    assert 'class="chart-target"' in chart
    assert re.search(r'data-value="2024">1</td><td class="text-end">4</td>', chart)


def test_compliance_chart_has_a_row_per_commune_linking_to_its_dashboard(tree, viewer, client_for):
    response = client_for(viewer).get(reverse("report_dashboard", args=[tree.district.pk]))
    chart = _section(response, "chart-compliance")

    assert reverse("report_dashboard", args=[tree.commune_a.pk]) in chart
    assert reverse("report_dashboard", args=[tree.commune_b.pk]) in chart
    # One table: a bar (a meter, 0 to 100%) and the figure in each commune's row, not an SVG
    # and the same figures again in a table beside it.
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", chart)
    assert len(rows) == 2 and "<svg" not in chart
    assert all(
        re.search(r'<meter min="0" max="100" value="[\d.]+"></meter></td><td>[\d,]+%', r)
        for r in rows
    )
