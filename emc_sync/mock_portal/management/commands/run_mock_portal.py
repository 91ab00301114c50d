"""Serve the stand-in portal alone, on its own port: `manage.py run_mock_portal --port 8001`.

Multithreaded WSGI server from the standard library (through Django's ThreadedWSGIServer): no
autoreload, no static files, starts in about a second and stops on SIGTERM / Ctrl-C. It migrates
nothing: run `manage.py migrate` first against the same DATABASE_URL.
"""

import sys
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand, CommandParser
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import DEFAULT_DB_ALIAS, connections

STANDALONE_URLCONF = "emc_sync.mock_portal.standalone_urls"


class StandInServer(ThreadedWSGIServer):
    request_queue_size = 128  # the stdlib's 5 (Django's 10) refuses connections in load drills


def sqlite_for_threads() -> None:
    """On SQLite, writers queue for the lock instead of failing with "database is locked".

    A deferred transaction that reads and then writes cannot wait for the lock when another thread
    wrote in between; an immediate one takes the lock first and waits up to the busy timeout."""
    database = connections.settings[DEFAULT_DB_ALIAS]
    if database["ENGINE"].endswith("sqlite3"):
        options = database.setdefault("OPTIONS", {})
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
        connections.close_all()


class Command(BaseCommand):
    help = "Chạy riêng cổng giả lập (DVCQG, EMC, VNeID, thanh toán, CSDL dân cư) trên một cổng mạng."
    requires_system_checks: list[str] = []  # start fast; `manage.py check` runs in CI

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.ROOT_URLCONF = STANDALONE_URLCONF
        sqlite_for_threads()
        server = StandInServer((options["host"], options["port"]), WSGIRequestHandler)
        server.set_app(WSGIHandler())
        port = server.server_address[1]
        self.stdout.write(f"Cổng giả lập đang chạy tại http://{options['host']}:{port}/")
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
