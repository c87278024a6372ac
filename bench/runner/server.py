"""The database, `manage.py` commands and gunicorn, as the runner drives them."""

import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
BIN = ROOT / ".venv" / "bin"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def database_url(name: str) -> str:
    return f"{PG}/{name}"


def create_database(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(cache_dir(name), ignore_errors=True)
    shutil.rmtree(dashboard_dir(name), ignore_errors=True)


def production_env(db: str, secret_key: str) -> dict:
    """Settings as a production server has them (DEBUG off, a fresh secret key), but over plain
    http on loopback: no HTTPS redirect, cookies not marked secure."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db),
        "DEBUG": "off",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "off",
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "SESSION_IDLE_SECONDS": "7200",
        "CACHE_URL": f"filecache://{cache_dir(db)}",
        "DASHBOARD_CACHE_URL": f"filecache://{dashboard_dir(db)}",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def cache_dir(db: str) -> Path:
    """The server's own file cache (the default one is shared by every chibo on the machine)."""
    return Path(tempfile.gettempdir()) / f"chibo-bench-cache-{db}"


def dashboard_dir(db: str) -> Path:
    """The server's kept dashboards (reports.kept)."""
    return Path(tempfile.gettempdir()) / f"chibo-bench-dashboards-{db}"


def forget_dashboards(db: str) -> None:
    """Remove the kept dashboards: the next request computes its dashboard."""
    shutil.rmtree(dashboard_dir(db), ignore_errors=True)


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def manage(env: dict, *args: str, capture: bool = False) -> str:
    """Run `manage.py ARGS`; its stdout when `capture` (JSON commands), else streamed."""
    command = [str(PYTHON), str(ROOT / "manage.py"), *args]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} exited with {result.returncode}")
    return result.stdout if capture else ""


def manage_json(env: dict, *args: str):
    output = manage(env, *args, capture=True)
    return json.loads(output.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn on loopback with chibo's settings (config/gunicorn.py), `workers` and `threads`
    as given (None: those settings'); stopped by its own process id."""

    def __init__(self, env: dict, *, workers: int | None, threads: int | None, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_file = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        sizes = [
            *(["--workers", str(workers)] if workers else []),
            *(["--threads", str(threads)] if threads else []),
        ]
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--config",
                str(ROOT / "config" / "gunicorn.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                *sizes,
                # The whole register's download (one of the load test's users) takes seconds.
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited; see its log")
            try:
                requests.get(f"{self.base}/login/", timeout=10)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log_file.close()


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine() -> dict:
    import django
    import gunicorn

    ram_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    with psycopg.connect(database_url("postgres")) as connection:
        pg = connection.execute("SHOW server_version").fetchone()[0]
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gb": int(ram_kb) / 1024 / 1024 if ram_kb.isdigit() else 0.0,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "postgresql": pg,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
    }


def git_state(results: Path | None = None) -> tuple[str, bool]:
    """The commit measured, and whether anything but the results file (`results`, which the
    runner itself rewrites) differs from it."""
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.splitlines()
    own = None
    if results is not None and results.resolve().is_relative_to(ROOT):
        own = str(results.resolve().relative_to(ROOT))
    dirty = any(line[3:].strip() != own for line in status if line.strip())
    return commit or "unknown", dirty
