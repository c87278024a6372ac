"""The benchmark runner's arithmetic and report: percentiles, verdicts, RESULTS.md's tables."""

from datetime import date

from bench.runner import report
from bench.runner.budgets import BUDGETS, verdicts
from bench.runner.cli import meeting_days, scaled_down
from bench.runner.forms import form_fields
from bench.runner.stats import percentile, summary


def test_percentiles_interpolate_between_the_closest_ranks():
    values = list(range(1, 101))  # 1 … 100 ms
    assert percentile(values, 50) == 50.5
    assert percentile(values, 95) == 95.05
    assert percentile([7], 99) == 7
    assert summary([3, 1, 2])["p50"] == 2


def test_a_figure_over_its_budget_fails_and_a_missing_one_is_not_run():
    rows = {r["budget"].key: r["verdict"] for r in verdicts({"dashboard_p95": 51.0})}
    assert rows["dashboard_p95"] == "FAIL"
    assert rows["dashboard_concurrent_p95"] == "NOT RUN"
    rows = {r["budget"].key: r["verdict"] for r in verdicts({"locust_failures": 0})}
    assert rows["locust_failures"] == "PASS"


def test_the_budget_table_written_to_results_reads_back_with_every_verdict():
    figures = {b.key: b.limit for b in BUDGETS} | {"import_seconds": 12.5}
    text = "\n".join(report.budget_table(figures))
    rows = report.parse_budget_table(text)
    assert len(rows) == len(BUDGETS)
    assert {r["verdict"] for r in rows if "import" not in r["figure"]} == {"PASS"}
    imported = next(r for r in rows if "import" in r["figure"])
    assert imported["measured"] == "12.50 s"
    assert imported["verdict"] == "FAIL"


def test_the_scale_down_table_marks_pages_whose_query_count_changed():
    full, small = {"dashboard": 12, "member list": 9}, {"dashboard": 12, "member list": 10}
    lines = report.query_table(full, small, "100,000 members", "10,000")
    assert "| dashboard | 12 | 12 | yes |" in lines
    assert "| member list | 9 | 10 | **NO** |" in lines
    assert report.scale_differences(full, small) == 1


def test_the_tree_ten_times_smaller_keeps_the_years_of_meetings():
    full = {"members": 100_000, "cells": 3_000, "communes": 120, "years": 5}
    assert scaled_down(full) == {"members": 10_000, "cells": 300, "communes": 12, "years": 5}


def test_meetings_are_saved_on_distinct_past_months_after_the_cell_was_founded():
    days = meeting_days(40, "2020-01-15")
    assert len({(d.year, d.month) for d in days}) == 40
    assert all(date(2020, 1, 15) <= d < date.today() for d in days)


def test_results_name_the_commit_the_machine_and_every_budget():
    results = {
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "ram_gb": 4.0,
            "load": "0.10 0.20 0.30",
            "postgresql": "15.20",
            "python": "3.13.0",
            "django": "6.1.3",
            "gunicorn": "27.0.1",
        },
        "run": {
            "date": "01/12/2026 21:00",
            "command": "bench/run",
            "commit": "abc123",
            "dirty": True,
            "quick": False,
            "workers": 2,
            "threads": 4,
        },
        "sizes": [
            {
                "db": "bench_x",
                "members": 100_000,
                "cells": 3_000,
                "communes": 120,
                "years": 5,
                "generation": "400 s",
            }
        ],  # fmt: skip
        "figures": {"dashboard_p95": 20.0},
        "timings": {"province dashboard": summary([10.0, 20.0])},
        "queries": {"full": {"dashboard": 12}, "full_label": "full size", "small_label": "1/10"},
    }
    text = report.render(results)
    assert "`abc123` (working tree dirty)" in text
    assert "| `bench_x` | 100,000 | 3,000 | 120 | 5 | 400 s |" in text
    assert len(report.parse_budget_table(text)) == len(BUDGETS)


def test_a_form_is_read_as_a_browser_would_post_it():
    page = """<html><body>
    <form method="get"><input name="q" value="search"></form>
    <form method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="t0ken">
      <input type="hidden" name="roster" value="abc">
      <input name="held_on" value="01/11/2026">
      <input type="radio" name="status_7" value="present" checked>
      <input type="radio" name="status_7" value="excused">
      <select name="kind"><option value="regular" selected>r</option><option value="x">x</option></select>
      <textarea name="content">Nội dung</textarea>
      <input type="checkbox" name="is_model">
    </form></body></html>"""  # noqa: E501
    assert form_fields(page, contains="roster") == {
        "csrfmiddlewaretoken": "t0ken",
        "roster": "abc",
        "held_on": "01/11/2026",
        "status_7": "present",
        "kind": "regular",
        "content": "Nội dung",
    }
