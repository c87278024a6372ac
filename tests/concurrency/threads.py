"""Two writers at the same moment, each on its own database connection (PostgreSQL only)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises every write",
)


def at_once(*jobs, timeout: float = 20) -> list:
    """Run each job in its own thread; each first reads (its `prepare`), then all wait at a
    barrier, then all write. Returns, per job, its result or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        prepare, write = job
        try:
            state = prepare()
            barrier.wait(timeout)
            results[index] = write(state)
        except Exception as error:  # noqa: BLE001 - the test looks at what was raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def refusals(results) -> list[ValidationError]:
    return [r for r in results if isinstance(r, ValidationError)]


def unexpected(results) -> list[Exception]:
    """Anything raised other than a clean refusal (a deadlock, a database error …)."""
    return [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)]
