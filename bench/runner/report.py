"""bench/RESULTS.md: the machine, the run, every figure against its budget, the query counts
on both sizes and the load test."""

import math
import re

from bench.runner.budgets import verdicts

BUDGET_HEADER = "| figure | measured | budget | verdict |"


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def budget_table(figures: dict) -> list[str]:
    lines = [BUDGET_HEADER, "| --- | --- | --- | --- |"]
    for row in verdicts(figures):
        budget = row["budget"]
        sign = "=" if budget.kind == "equal" else "≤"
        lines.append(
            f"| {budget.label} | {fmt(row['value'], budget.unit)} | "
            f"{sign} {fmt(budget.limit, budget.unit)} | **{row['verdict']}** |"
        )
    return lines


def parse_budget_table(text: str) -> list[dict]:
    """The budget rows of a RESULTS.md: figure, measured, budget and verdict, as text."""
    lines = text.splitlines()
    try:
        start = lines.index(BUDGET_HEADER) + 2
    except ValueError:
        return []
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        figure, measured, budget, verdict = cells
        rows.append(
            {
                "figure": figure,
                "measured": measured,
                "budget": budget,
                "verdict": re.sub(r"\*", "", verdict),
            }
        )
    return rows


def timing_table(timings: dict) -> list[str]:
    lines = [
        "| measurement | requests | p50 | p95 | p99 | max |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in timings.items():
        lines.append(
            f"| {name} | {s['n']} | {fmt(s['p50'], 'ms')} | {fmt(s['p95'], 'ms')} | "
            f"{fmt(s['p99'], 'ms')} | {fmt(s['max'], 'ms')} |"
        )
    return lines


def query_table(full: dict, small: dict | None, full_label: str, small_label: str) -> list[str]:
    lines = [
        f"| page | queries at {full_label} | at {small_label} | same? |",
        "| --- | --- | --- | --- |",
    ]
    for page, count in full.items():
        other = (small or {}).get(page)
        same = "—" if other is None else ("yes" if other == count else "**NO**")
        lines.append(f"| {page} | {fmt(count)} | {fmt(other)} | {same} |")
    return lines


def scale_differences(full: dict, small: dict | None) -> int | None:
    if not small:
        return None
    return sum(1 for page, count in full.items() if small.get(page) != count)


def render(results: dict) -> str:
    """The whole RESULTS.md from the runner's results."""
    machine, run = results["machine"], results["run"]
    figures = results["figures"]
    out = ["# Benchmark results", ""]
    if run.get("quick"):
        out += [
            "**Quick run** (small sizes, short load test): a smoke test of the runner; the figures "
            "are not the budgets' province-scale measurements.",
            "",
        ]
    out += [
        'Written by `bench/run` (see `bench/README.md`, "Runner"); budgets from DESIGN.md, '
        '"Budgets".',
        "",
        "## Machine and run",
        "",
        f"- date: {run['date']}",
        f"- command: `{run['command']}`",
        f"- commit: `{run['commit']}`" + (" (working tree dirty)" if run["dirty"] else ""),
        f"- CPU: {machine['cpu']}, {machine['cores']} cores; RAM {machine['ram_gb']:.1f} GB; "
        f"load average at start {machine['load']}",
        f"- PostgreSQL {machine['postgresql']}, Python {machine['python']}, "
        f"Django {machine['django']}",
        f"- server: gunicorn {machine['gunicorn']}, {run['workers']} workers × "
        f"{run['threads']} threads (gthread), on 127.0.0.1, DEBUG off",
        "",
        "## Data",
        "",
        "| database | members | cells | communes | years | generation |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for size in results["sizes"]:
        out.append(
            f"| `{size['db']}` | {fmt(size['members'])} | {fmt(size['cells'])} | "
            f"{fmt(size['communes'])} | {fmt(size['years'])} | {size['generation']} |"
        )
    failed = [r for r in verdicts(figures) if r["verdict"] != "PASS"]
    out += [
        "",
        "## Budgets",
        "",
        *budget_table(figures),
        "",
        f"{len(failed)} of {len(verdicts(figures))} budgets missed or not run."
        if failed
        else "Every budget is met.",
        "",
        "## Response times",
        "",
        "Measured from the runner over loopback (requests sessions logged in through the "
        "login and two-factor pages), after warm-up requests that are not counted.",
        "",
        *timing_table(results["timings"]),
        "",
    ]
    for note in results.get("notes", []):
        out.append(f"- {note}")
    out += [
        "",
        "## SQL queries per page and the scale-down check",
        "",
        "Counted in-process (django.test.Client and CaptureQueriesContext on the same "
        "database, the same personas).",
        "",
        *query_table(
            results["queries"]["full"],
            results["queries"].get("small"),
            results["queries"]["full_label"],
            results["queries"]["small_label"],
        ),
        "",
        "## Excel export and import",
        "",
    ]
    out += results.get("excel", [])
    out += ["", "## Load test (locust)", ""]
    for line in results.get("locust", []):
        out.append(line)
    out.append("")
    return "\n".join(out)
