"""`bench/run`: measure chibo against every budget of DESIGN.md and write bench/RESULTS.md.

Exits 1 when a budget is missed (or could not be measured), 2 when the run itself failed.
"""

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.runner import client, report, server
from bench.runner.budgets import verdicts
from bench.runner.pages import PER_PAGE, pages
from bench.runner.server import ROOT, log
from bench.runner.stats import summary
from config import gunicorn as gunicorn_settings

OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
FULL = {"members": 100_000, "cells": 3_000, "communes": 120, "years": 5}
# The load tests' first seconds, not counted in their response times (bench/locustfile.py).
WARMUP_SECONDS = 30
# The personas' password (bench_prepare's and the generator's).
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-Password-2026!")
QUICK = {"members": 6_000, "cells": 200, "communes": 10, "years": 2}


def parse(argv):
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--db", help="name of the database to create (default bench_<time>)")
    parser.add_argument("--reuse", metavar="DB", help="measure an already generated database")
    parser.add_argument("--personas", help="personas file of --reuse (default bench/out/…)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--quick", action="store_true", help="small sizes, short load test")
    for name in FULL:
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, help="gunicorn's (default config/gunicorn.py's)")
    parser.add_argument("--threads", type=int, help="gunicorn's (default config/gunicorn.py's)")
    parser.add_argument("--no-scale-down", action="store_true", help="skip the 1/10 tree")
    parser.add_argument(
        "--no-data-checks", action="store_true", help="generate_scale --no-check (faster)"
    )
    parser.add_argument("--no-locust", action="store_true")
    parser.add_argument("--no-excel", action="store_true", help="skip export and import")
    parser.add_argument("--locust-users", type=int)
    parser.add_argument("--locust-time", help="e.g. 5m (default), 60s with --quick")
    parser.add_argument(
        "--locust-think", default="5-15", help="seconds between a user's actions (default 5-15)"
    )
    parser.add_argument("--no-stress", action="store_true", help="skip the stress run")
    parser.add_argument("--stress-think", default="1-3", help="the stress run's (default 1-3)")
    parser.add_argument("--stress-time", help="the stress run's length (default 2m)")
    parser.add_argument("--results", default=str(RESULTS), help="where to write RESULTS.md")
    return parser.parse_args(argv)


def sizes_of(args) -> dict:
    base = QUICK if args.quick else FULL
    return {name: getattr(args, name) or base[name] for name in base}


def scaled_down(sizes: dict) -> dict:
    return {
        "members": max(sizes["members"] // 10, 1),
        "cells": max(sizes["cells"] // 10, 1),
        "communes": max(sizes["communes"] // 10, 1),
        "years": sizes["years"],
    }


def generate(env, db: str, sizes: dict, seed: int, personas: Path, checks: bool = True) -> float:
    server.create_database(db)
    log(f"{db}: migrate")
    server.manage(env, "migrate", "--verbosity", "0")
    log(f"{db}: generate {sizes}")
    started = time.perf_counter()
    server.manage(
        env,
        "generate_scale",
        *[f"--{k}={v}" for k, v in sizes.items()],
        f"--seed={seed}",
        f"--personas={personas}",
        *([] if checks else ["--no-check"]),
    )
    return time.perf_counter() - started


def prepare(env, personas_path: Path, config_path: Path) -> dict:
    data = json.loads(personas_path.read_text())
    personas = data["personas"] if isinstance(data, dict) else data
    prepared = server.manage_json(env, "bench_prepare", "--personas", str(personas_path))
    everyone = {p["username"].removeprefix("bench-"): p for p in personas + prepared["admins"]}
    config = {
        "personas": everyone,
        "targets": prepared["targets"],
        "secretaries": prepared["secretaries"],
    }
    config_path.write_text(json.dumps(config, indent=1))
    return config


def count_queries(env, config_path: Path) -> dict:
    answer = server.manage_json(env, "bench_queries", "--config", str(config_path))
    wrong = {p: s for p, s in answer["statuses"].items() if s != 200}
    if wrong:
        raise client.BenchError(f"pages not answering 200 in-process: {wrong}")
    return answer["queries"]


def meeting_days(count: int, founded_on: str | None) -> list[date]:
    """`count` days in distinct past months, newest first, none before the cell was founded."""
    today = date.today()
    first = date.fromisoformat(founded_on) if founded_on else today - timedelta(days=3650)
    days, month = [], today.replace(day=1)
    while len(days) < count:
        month = (month - timedelta(days=1)).replace(day=1)
        day = month.replace(day=min(27, 2 + len(days) % 26))
        if day < first:
            break
        days.append(day)
    return days


def measure_http(
    base: str,
    config: dict,
    password: str,
    quick: bool,
    problems: list,
    forget=lambda: None,
    slots: int = 1,
    speeds: list | None = None,
):
    """Every response-time budget: (timings table, figures, signed-in sessions). A part that
    breaks is told in `problems` and the others still run. `forget()` removes the server's kept
    dashboards. `slots`: the server's processes × threads, each warmed up before the timings
    (its first requests compile templates and open a database connection). The machine's
    speed before each part goes into `speeds`."""
    targets, personas = config["targets"], config["personas"]
    sessions = {
        key: client.login(base, p, p.get("password") or password) for key, p in personas.items()
    }
    urls = {page: (persona, url) for page, persona, url in pages(targets)}
    n, warm = (60, 10) if quick else (200, 20)
    warm = max(warm, 3 * slots)  # requests go to whichever thread is free: several each
    timings, figures = {}, {}
    speeds = [] if speeds is None else speeds

    def url_of(page):
        persona, url = urls[page]
        return sessions[persona], base + url

    def dashboard():
        log("dashboard, one at a time")
        s, u = url_of("dashboard (province)")
        one = timings["province dashboard, one at a time"] = summary(
            client.sequential(s, u, count=n, warmup=warm)
        )
        figures["dashboard_p95"] = one["p95"]
        log("dashboard, 8 concurrent")
        eight = timings["province dashboard, 8 concurrent"] = summary(
            client.concurrent(s, u, clients=8, count=n, warmup=warm)
        )
        figures["dashboard_concurrent_p95"] = eight["p95"]
        log("dashboard, computed")
        computed = []
        for _ in range(5 if quick else 10):
            forget()
            computed += client.sequential(s, u, count=1, warmup=0)
        timings["province dashboard, computed (not kept), one at a time"] = summary(computed)

    def member_lists():
        for ours, admin, key in (
            ("member list (commune)", "admin changelist (commune)", "commune"),
            ("member list search (province)", "admin changelist search (province)", "search"),
        ):
            log(f"{ours} and {admin}, side by side")
            (sa, ua), (sb, ub) = url_of(ours), url_of(admin)
            a, b = client.side_by_side(sa, ua, sb, ub, count=n // 2, warmup=warm)
            timings[ours] = summary(a)
            timings[admin] = summary(b)
            figures[f"members_{key}_p95"] = timings[ours]["p95"]
            figures[f"members_{key}_admin_ratio"] = timings[ours]["p95"] / timings[admin]["p95"]

    def meetings():
        log("saving meetings")
        *days, warm_day = meeting_days((12 if quick else 40) + 1, targets.get("cell_founded_on"))
        secretary = sessions["secretary"]
        # Warm-up: extra meetings on one more day (each server thread's first writes).
        for _ in range(2 * slots):
            client.save_meeting(secretary, base, targets["cell_id"], warm_day)
        saves = [client.save_meeting(secretary, base, targets["cell_id"], d) for d in days]
        timings[f"saving a meeting ({len(days)} new, one a month)"] = summary(saves)
        figures["meeting_save_p95"] = summary(saves)["p95"]

    for part in (dashboard, member_lists, meetings):
        speeds.append((part.__name__, cpu_speed()))
        attempt(part.__name__, part, problems)
    return timings, figures, sessions


def cpu_speed() -> float:
    """Milliseconds for a fixed loop of pure Python: this machine's speed at that moment (on a
    shared virtual machine it varies by tens of percent from one minute to the next)."""
    started = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i % 7
    return (time.perf_counter() - started) * 1000


def attempt(name: str, part, problems: list):
    """Run one part of the measurements; an error is noted, and the run goes on."""
    try:
        return part()
    except Exception as error:  # noqa: BLE001 (any failure is reported, never hidden)
        log(f"{name} failed: {error!r}")
        problems.append(f"{name}: {error!r}")
        return None


def measure_excel(env, quick: bool) -> tuple[list[str], dict]:
    figures, lines = {}, []
    log("export through the view")
    export = server.manage_json(env, "bench_export", "--username", "bench-province")
    log("export with openpyxl alone")
    bare = server.manage_json(env, "bench_export", "--username", "bench-province", "--bare")
    figures["export_seconds"] = export["seconds"]
    figures["export_memory"] = export["peak_above_start_mb"]
    figures["export_bare_ratio"] = export["seconds"] / bare["seconds"]
    lines.append(
        f"- export of {export['rows']:,} members (the province persona's member list, as "
        f"`members.views.member_export` writes it): {export['seconds']:.2f} s, "
        f"{export['bytes'] / 1e6:.1f} MB file, peak resident memory {export['peak_rss_mb']:.0f} MB "
        f"({export['peak_above_start_mb']:.0f} MB above the {export['rss_before_mb']:.0f} MB the "
        "process held before the export: the budgeted figure)"
    )
    lines.append(
        f"- openpyxl alone (write_only, the same {bare['rows']:,} rows of values): "
        f"{bare['seconds']:.2f} s; ratio {figures['export_bare_ratio']:.2f}"
    )
    rows = 1000 if quick else 10_000
    log(f"import of {rows:,} rows")
    command = [str(server.PYTHON), str(ROOT / "manage.py"), "bench_import", f"--rows={rows}"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    total = None
    for line in result.stdout.splitlines():
        if line.strip().startswith("total"):
            total = float(line.split()[1].rstrip("s"))
    if total is None:
        raise client.BenchError(f"bench_import gave no total: {result.stdout}{result.stderr}")
    figures["import_seconds"] = total * 10_000 / rows if quick else total
    lines.append(f"- import of {rows:,} rows (`manage.py bench_import`): {total:.2f} s")
    lines += ["", "```", result.stdout.rstrip(), "```"]
    return lines, figures


def locust_config(base: str, sessions: dict, config: dict) -> dict:
    """What the locustfile reads: the personas' cookies, and the secretaries', each signed in
    (a password only) for a cell of their own."""
    personas = config["personas"]
    secretaries = []
    for secretary in config["secretaries"]:
        name = secretary["username"].removeprefix("bench-")
        session = sessions.get(name) or client.login(
            base, {**personas.get(name, {}), **secretary}, secretary["password"] or PASSWORD
        )
        secretaries.append({**secretary, "cookies": dict(session.cookies)})
    return {
        "cookies": {k: dict(s.cookies) for k, s in sessions.items()},
        "secretaries": secretaries,
        "targets": config["targets"],
    }


def parse_think(text: str) -> tuple[float, float]:
    low, _sep, high = text.partition("-")
    return float(low), float(high or low)


def run_locust(
    base: str, shared: dict, args, *, think: str, duration: str, name: str
) -> tuple[list[str], dict]:
    """One locust run of 50 users waiting `think` seconds ("5-15") between their actions."""
    users = args.locust_users or (20 if args.quick else 50)
    samples = OUT / f"{name}-samples.json"
    config_path = OUT / f"{name}-config.json"
    low, high = parse_think(think)
    warmup = 10 if args.quick else WARMUP_SECONDS
    config_path.write_text(
        json.dumps(
            {
                **shared,
                "samples": str(samples),
                "think_seconds": [low, high],
                "warmup_seconds": warmup,
            }
        )
    )
    command = [
        str(server.BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        "10",
        "-t",
        duration,
        "--host",
        base,
        "--csv",
        str(OUT / name),
        "--only-summary",
        "--stop-timeout",
        "60",
    ]
    log(" ".join(command))
    env = {**os.environ, "BENCH_LOCUST_CONFIG": str(config_path)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    (OUT / f"{name}.log").write_text(result.stdout + result.stderr)
    data = json.loads(samples.read_text())
    times = [t for page, ts in data["times"].items() if page != "export" for t in ts]
    export = data["times"].get("export", [])
    everything = summary(times)
    failures = data["failures"]
    figures = {"locust_failures": len(failures), "locust_p95": everything["p95"]}
    seconds = everything["n"] / max(_seconds(duration) - warmup, 1)
    lines = [
        f"{users} users (spawned 10 a second), each waiting {low:g}–{high:g} s between two "
        f"actions, for {duration} on {base}: {len(failures)} failures. Times are those of the "
        f"{everything['n'] + len(export):,} requests from {warmup} s after the start on "
        f"({seconds:.1f} a second); the {sum(data['warmup'].values()):,} before (the server "
        "processes' first requests of each page, compiling its templates) are not timed, "
        "their failures are counted.",
        "",
        *report.timing_table(
            {
                **{
                    page: summary(ts)
                    for page, ts in sorted(data["times"].items())
                    if page != "export"
                },
                "**every request but the export**": everything,
                "export (apart)": summary(export),
            }
        ),
    ]
    if failures:
        lines += ["", "Failures (first 20):", ""] + [f"- `{f}`" for f in failures[:20]]
    return lines, figures


def _seconds(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(duration[:-1]) * units[duration[-1]] if duration[-1] in units else float(duration)


def load_tests(base: str, sessions: dict, config: dict, args) -> tuple[list[str], dict]:
    """The budgeted load test (users who read and type between their actions), then the same
    scenario with hardly any pause (a stress test, reported, not budgeted)."""
    shared = locust_config(base, sessions, config)
    duration = args.locust_time or ("60s" if args.quick else "5m")
    lines, figures = run_locust(
        base, shared, args, think=args.locust_think, duration=duration, name="locust"
    )
    lines += [
        "",
        "The single export of the whole member list is reported apart, not counted in the p95: "
        "DESIGN.md makes exports of more than ~10k rows background work, and one 100k-row "
        "download is not the response time a user waits for on a page. A simulated user waits "
        f"{args.locust_think} s between two actions: the time to read a dashboard, scan a "
        "list or tick a meeting's attendance, still several times faster than people work.",
    ]
    if not args.no_stress:
        stress, stress_figures = run_locust(
            base,
            shared,
            args,
            think=args.stress_think,
            duration=args.stress_time or ("30s" if args.quick else "2m"),
            name="stress",
        )
        lines += [
            "",
            f"### Stress: the same users waiting {args.stress_think} s (not a budget)",
            "",
            "How the server holds at about four times the load (a user acting every two seconds).",
            "",
            *stress,
        ]
        figures["stress_failures"] = stress_figures["locust_failures"]
    return lines, figures


def main(argv=None) -> int:
    args = parse(argv if argv is not None else sys.argv[1:])
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
    sizes = sizes_of(args)
    small_sizes = scaled_down(sizes)
    commit, dirty = server.git_state(Path(args.results))
    results = {
        "machine": server.machine(),
        "run": {
            "date": datetime.now().astimezone().strftime("%d/%m/%Y %H:%M %Z"),
            "command": "bench/run " + shlex.join(argv if argv is not None else sys.argv[1:]),
            "commit": commit,
            "dirty": dirty,
            "quick": args.quick,
            "workers": args.workers or gunicorn_settings.workers,
            "threads": args.threads or gunicorn_settings.threads,
        },
        "sizes": [],
        "figures": {},
        "timings": {},
        "notes": [],
        "queries": {"full": {}, "full_label": "full size", "small_label": "1/10"},
        "excel": [],
        "locust": [],
    }
    secret = server.new_secret_key()
    created = []
    problems = []
    started = time.perf_counter()
    status = 0
    try:
        log("collectstatic")
        server.manage(
            server.production_env("postgres", secret), "collectstatic", "--noinput", "-v", "0"
        )
        # The tree ten times smaller first: only its query counts are needed.
        if not args.no_scale_down:
            small_db = f"{args.db or 'bench_' + stamp}_small"
            env = server.production_env(small_db, secret)
            small_personas = OUT / "personas-small.json"
            created.append(small_db)
            seconds = generate(
                env, small_db, small_sizes, args.seed, small_personas, not args.no_data_checks
            )
            config = prepare(env, small_personas, OUT / "config-small.json")
            results["queries"]["small"] = count_queries(env, OUT / "config-small.json")
            results["sizes"].append(
                {"db": small_db, **small_sizes, "generation": f"{seconds:.0f} s"}
            )
            if not args.keep:
                server.drop_database(small_db)
                created.remove(small_db)
        db = args.reuse or args.db or f"bench_{stamp}"
        env = server.production_env(db, secret)
        personas = Path(args.personas) if args.personas else OUT / "personas.json"
        if args.reuse:
            server.manage(env, "migrate", "--verbosity", "0")
            results["sizes"].append({"db": db, **sizes, "generation": "reused"})
        else:
            created.append(db)
            seconds = generate(env, db, sizes, args.seed, personas, not args.no_data_checks)
            results["sizes"].append({"db": db, **sizes, "generation": f"{seconds:.0f} s"})
        config = prepare(env, personas, OUT / "config.json")
        counts = config["targets"]["counts"]
        results["notes"].append(
            f"{counts['members']:,} members in the database; the secretary's cell has "
            f"{counts['secretary_cell_members']} members on its rolls; search term "
            f'"{config["targets"]["search"]}"; member lists at {PER_PAGE} rows a page '
            "(the admin changelist's page size), members on the rolls in both."
        )
        results["queries"]["full"] = count_queries(env, OUT / "config.json")
        results["figures"]["dashboard_queries"] = results["queries"]["full"]["dashboard (province)"]
        results["figures"]["queries_scale_differences"] = report.scale_differences(
            results["queries"]["full"], results["queries"].get("small")
        )
        gunicorn = server.Gunicorn(
            env, workers=args.workers, threads=args.threads, log_path=OUT / "gunicorn.log"
        )
        try:
            gunicorn.wait_ready()
            speeds = []
            timings, figures, sessions = measure_http(
                gunicorn.base,
                config,
                PASSWORD,
                args.quick,
                problems,
                forget=lambda: server.forget_dashboards(db),
                slots=results["run"]["workers"] * results["run"]["threads"],
                speeds=speeds,
            )
            results["notes"].append(
                "the machine's speed before each part (a fixed loop of pure Python, ms; lower is "
                "faster): " + ", ".join(f"{name} {ms:,.0f}" for name, ms in speeds)
            )
            results["timings"].update(timings)
            results["figures"].update(figures)
            if not args.no_locust:
                done = attempt(
                    "load test", lambda: load_tests(gunicorn.base, sessions, config, args), problems
                )
                if done:
                    results["locust"], figures = done
                    results["figures"].update(figures)
        finally:
            gunicorn.stop()
        if not args.no_excel:
            done = attempt("Excel", lambda: measure_excel(env, args.quick), problems)
            if done:
                results["excel"], figures = done
                results["figures"].update(figures)
    except Exception as error:  # the report says what broke; the exit status too
        log(f"run failed: {error!r}")
        problems.append(f"the run stopped: {error!r}")
    finally:
        if not args.keep:
            for name in created:
                server.drop_database(name)
    if problems:
        status = 2
        results["notes"] += [f"**Not measured, an error:** `{p}`" for p in problems]
    results["notes"].append(f"whole run: {(time.perf_counter() - started) / 60:.1f} minutes")
    Path(args.results).write_text(report.render(results))
    log(f"wrote {args.results}")
    missed = [r for r in verdicts(results["figures"]) if r["verdict"] != "PASS"]
    for row in verdicts(results["figures"]):
        value = row["value"]
        shown = "—" if value is None or (isinstance(value, float) and math.isnan(value)) else value
        log(f"{row['verdict']:8} {row['budget'].label}: {shown}")
    if status:
        return status
    return 1 if missed else 0
