"""DESIGN.md's budgets ("Budgets"), each a figure the runner measures and a limit."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    key: str
    label: str
    limit: float
    unit: str
    # "max": the figure must be at most the limit; "equal": exactly the limit.
    kind: str = "max"

    def passes(self, value) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        if self.kind == "equal":
            return value == self.limit
        return value <= self.limit


BUDGETS = [
    Budget("dashboard_p95", "Province dashboard, one request at a time, p95", 50, "ms"),
    Budget("dashboard_concurrent_p95", "Province dashboard, 8 concurrent, p95", 100, "ms"),
    Budget("dashboard_queries", "Province dashboard, SQL queries", 20, "queries"),
    Budget(
        "queries_scale_differences",
        "Pages whose query count differs on a tree 10× smaller",
        0,
        "pages",
        "equal",
    ),
    Budget("members_commune_p95", "Member list of a commune, p95", 30, "ms"),
    Budget("members_search_p95", "Member list, province-wide with search, p95", 150, "ms"),
    Budget(
        "members_commune_admin_ratio",
        "Member list of a commune ÷ admin changelist, p95 ratio",
        1.0,
        "×",
    ),
    Budget(
        "members_search_admin_ratio",
        "Province-wide search ÷ admin changelist search, p95 ratio",
        1.0,
        "×",
    ),
    Budget("meeting_save_p95", "Saving a monthly meeting of a cell, p95 server time", 50, "ms"),
    Budget("export_seconds", "Excel export of the province's members", 20, "s"),
    Budget("export_memory", "Excel export, peak memory of the export", 100, "MB"),
    Budget("export_bare_ratio", "Excel export ÷ bare openpyxl write of the same cells", 1.3, "×"),
    Budget("import_seconds", "Excel import with full validation, all or nothing", 10, "s"),
    Budget("locust_failures", "Load test: failed requests", 0, "requests", "equal"),
    Budget("locust_p95", "Load test: p95 of every request but the export", 100, "ms"),
]
BY_KEY = {b.key: b for b in BUDGETS}


def verdicts(figures: dict) -> list[dict]:
    """One row per budget: its figure (None when not measured) and PASS, FAIL or NOT RUN."""
    rows = []
    for budget in BUDGETS:
        value = figures.get(budget.key)
        verdict = "NOT RUN" if value is None else "PASS" if budget.passes(value) else "FAIL"
        rows.append({"budget": budget, "value": value, "verdict": verdict})
    return rows
