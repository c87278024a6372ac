"""The SQL query count of every page `bench/run` times, counted in-process (django.test.Client
and CaptureQueriesContext) for the same personas on the same database. Prints JSON.

Dashboards are counted twice: computed (the kept ones removed first: the budgeted count) and
as kept (reports.kept), "<page>, kept".

    manage.py bench_queries --config bench/out/config.json
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

from bench.runner.pages import pages
from reports.kept import CACHE as DASHBOARDS


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return client
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:  # signed in with the second factor too, as the real pages do
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class Command(BaseCommand):
    help = "SQL queries per page for bench/run, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--config", required=True)

    def handle(self, *, config, **options):
        config = json.loads(Path(config).read_text())
        setup_test_environment()
        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        User = get_user_model()
        clients = {}
        counts, statuses = {}, {}
        for page, persona, url in pages(config["targets"]):
            if persona not in clients:
                clients[persona] = _client(User.objects.get(username=f"bench-{persona}"))
            client = clients[persona]
            client.get(url)  # warm: caches of the process (templates, scope) as a server has
            if page.startswith("dashboard"):
                # Computed, as after a change of the data; then as it is kept (reports.kept).
                caches[DASHBOARDS].clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            counts[page] = len(queries)
            statuses[page] = response.status_code
            if page.startswith("dashboard"):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                counts[f"{page}, kept"] = len(queries)
                statuses[f"{page}, kept"] = response.status_code
        self.stdout.write(json.dumps({"queries": counts, "statuses": statuses}))
