"""gunicorn's settings for chibo: `gunicorn -c config/gunicorn.py config.wsgi` (the production
command in the README, and the server bench/run measures).

gthread workers: 2 × cores + 1 processes (gunicorn's own advice), 2 threads each to overlap
the database's waits. Python runs one thread at a time in a process, so requests at the same
time are better spread over processes than over threads (docs/scaling.md has the figures).
GUNICORN_WORKERS, GUNICORN_THREADS and GUNICORN_BIND change them.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = 60
# Longer than a reverse proxy's idle connections are kept open (and than a simulated user's
# think time in bench/run): a request never goes out on a connection the server is closing.
keepalive = 30
