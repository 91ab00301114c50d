"""Broker and caches down: Redis (every role: broker, cache, rate limits) is away for a minute
while citizens sign in, upload, file and look up their dossiers through a real web process; a
real worker loses its broker. No answer is a 5xx, and once Redis is back every background job of
the dossiers filed meanwhile is done: the population-registry check, the applicant's messages and
the national sync by the beat's sweeps (called here as the beat would, every 2 s), the
acknowledgement PDF (its task lost with the broker: rendered for the resent e-mail, or when the
citizen opens it).

An earlier drill (Redis killed for 75 s) had every upload, the sign-in and the public lookup
answer 500, and the registry checks of the dossiers filed meanwhile were never done.
"""

import os
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest

from accounts.constants import Role
from dossiers.constants import DocumentKind
from dossiers.models import Dossier, DossierDocument
from dossiers.notifications.services import events_missing_notifications
from dossiers.notifications.tasks import notifications_resend_task
from dossiers.population.tasks import population_sweep_task
from emc_sync.constants import OutboxState
from emc_sync.models import OutboxRow
from emc_sync.tasks import outbox_sweep_task
from tests.dossiers.conftest import office  # noqa: F401 - fixture
from tests.emc_sync.drill_helpers import NEEDS, ON_POSTGRES, REDIS_URL, TcpForward, worker_environment
from tests.factories import ComponentFactory, UserFactory
from tests.mock_portal.live import running_stand_in
from tests.s3 import Bucket, MotoServer
from tests.stores import clear_caches

from .nodes import Node, Person, Web, Worker, fetch, file_a_dossier, redis_at, token, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.skipif(not (ON_POSTGRES and REDIS_URL), reason=NEEDS)]

DOWN_SECONDS = float(os.environ.get("DRILL_REDIS_DOWN_SECONDS", "60"))
CITIZENS = 5


def lookup(person: Person, web: Web, code: str) -> int:
    page = person.get(web, "/tra-cuu/")
    data = {"ma": code, "so_cuoi": person.username[-4:], "csrfmiddlewaretoken": token(page.text)}
    return person.post(web, "/tra-cuu/", data).status_code


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_for_a_minute_nothing_answers_5xx_and_every_job_is_done_after(
    office,  # noqa: F811
    settings,
    tmp_path,
):
    import redis

    procedure, agency = office["procedure"], office["agency"]
    component = ComponentFactory(procedure=procedure, name="Giấy chứng sinh", required=True)
    citizens = [
        UserFactory(username=f"03719000{n:04d}", citizen_id=f"03719000{n:04d}", role=Role.CITIZEN,
                    full_name=f"Công Dân {n}", phone=f"09120{n:05d}", email=f"cong.dan.{n}@example.vn")
        for n in range(CITIZENS + 1)
    ]  # fmt: skip
    redis.Redis.from_url(REDIS_URL).flushdb()
    real = urlsplit(REDIS_URL)
    store = TcpForward((real.hostname or "127.0.0.1", real.port or 6379))  # every role of Redis, for the processes
    store.up()
    s3 = MotoServer()
    bucket = Bucket(s3, f"dvctt-drill-{uuid.uuid4().hex[:8]}")
    s3.client().create_bucket(Bucket=bucket.name)
    nodes: list[Node] = []
    started = time.monotonic()
    try:
        with running_stand_in(tmp_path / "stand-in.sqlite3") as portal:
            environment = worker_environment(
                portal,
                redis_url=redis_at(store.port),
                SYNC_DELIVERY_ENABLED="true",
                POPULATION_CHECK_ENABLED="true",
                POPULATION_REGISTRY_URL=f"{portal}/dancu",
                POPULATION_REGISTRY_TOKEN_URL=f"{portal}/oauth/token",
                **bucket.environment(),
            )
            web, worker = Web("web", environment, tmp_path), Worker("worker", environment, tmp_path)
            nodes += [web, worker]
            for node in nodes:
                wait_for(node.ready, 90, f"{node.name} ready", every=0.5, node=node)

            # given the whole path works with Redis up (the worker checks and renders at once)
            first = Person(citizens[0].username)
            assert first.sign_in(web).status_code == 302
            first_code = file_a_dossier(first, web, procedure.code, agency.pk, component.pk)
            wait_for(
                lambda: (
                    Dossier.objects.filter(code=first_code, population_asked_at__isnull=False).exists()
                    and DossierDocument.objects.filter(dossier__code=first_code).exists()
                ),
                60,
                "the worker checks and renders the first dossier",
                every=0.5,
            )

            # when Redis is away while citizens sign in, upload, file and look up
            people = [Person(citizen.username) for citizen in citizens[1:]]
            store.down()
            down_at = time.monotonic()
            codes: list[str] = []
            own: dict[str, str] = {}
            during: Counter[int] = Counter()
            while time.monotonic() - down_at < DOWN_SECONDS or len(codes) < CITIZENS:
                for person in people:
                    before = person.statuses.copy()
                    assert person.sign_in(web).status_code == 302
                    if person.username not in own:
                        own[person.username] = file_a_dossier(person, web, procedure.code, agency.pk, component.pk)
                        codes.append(own[person.username])
                    assert lookup(person, web, own[person.username]) == 200
                    assert person.get(web, "/ho-so-cua-toi/").status_code == 200
                    during += person.statuses - before
                    if time.monotonic() - down_at >= DOWN_SECONDS and len(codes) >= CITIZENS:
                        break
            down_for = time.monotonic() - down_at
            store.up()
            assert sum(n for status, n in during.items() if status >= 500) == 0, during

            # then, Redis back, the beat's sweeps (here every 2 s) have every job done
            settings.POPULATION_CHECK_ENABLED = True
            settings.POPULATION_SWEEP_AFTER_MINUTES = 0
            settings.NOTIFICATION_RESEND_AFTER_MINUTES = 0
            clear_caches()
            filed = Dossier.objects.filter(code__in=codes)
            undelivered = OutboxRow.objects.filter(dossier__in=filed).exclude(
                state__in=(OutboxState.DELIVERED, OutboxState.SUPERSEDED)
            )

            def all_done() -> bool:
                return (
                    not filed.filter(population_asked_at__isnull=True).exists()
                    and not events_missing_notifications().filter(dossier__in=filed).exists()
                    and not undelivered.exists()
                )

            def sweeps() -> None:
                population_sweep_task()
                notifications_resend_task()
                outbox_sweep_task()

            back_at = time.monotonic()

            def swept() -> bool:
                if all_done():
                    return True
                sweeps()
                return False

            wait_for(swept, 120, "every job of the dossiers filed while Redis was down", every=2)
            done_after = time.monotonic() - back_at
            rendered_by_worker = DossierDocument.objects.filter(
                dossier__in=filed, kind=DocumentKind.SUBMISSION_ACK
            ).count()
            # ... and each acknowledgement opens (rendered now if its task was lost with the broker)
            for person, code in zip(people, codes, strict=False):
                fetch(person, web, f"/ho-so-cua-toi/{code}/van-ban/{DocumentKind.SUBMISSION_ACK}/")
            assert DossierDocument.objects.filter(dossier__in=filed, kind=DocumentKind.SUBMISSION_ACK).count() == len(
                codes
            )
            statuses = sum((p.statuses for p in [first, *people]), Counter())
            print(  # noqa: T201 - the drill's figures, asked for in the test output
                f"\nRedis-down drill ({time.monotonic() - started:.0f} s): Redis away {down_for:.0f} s; "
                f"{len(codes)} dossiers filed (upload included) meanwhile, {sum(during.values())} requests "
                f"{dict(during)}; all jobs done {done_after:.1f} s after Redis returned (registry checks "
                f"{filed.filter(population_asked_at__isnull=False).count()}/{len(codes)}, messages, sync rows); "
                f"acknowledgements rendered by the worker (resent e-mail) {rendered_by_worker}, on opening "
                f"{len(codes) - rendered_by_worker}; all answers {dict(statuses)}"
            )
            assert all(status < 500 for status in statuses)
    finally:
        store.down()
        for node in reversed(nodes):
            node.kill()
        s3.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()
