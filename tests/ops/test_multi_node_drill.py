"""The multi-node drill: the portal as several machines, each a real process with a working
directory (and a MEDIA_ROOT) of its own, nothing shared but PostgreSQL, Redis and one S3 server.

- two web processes (gunicorn, A and B), two Celery workers, two beats (celery-redbeat);
- files in the bucket of moto's standalone S3 server (tests/s3.py), none on any process's disk;
- the Redis of rate limits and locks (REDIS_LIMITS_URL, also the beat's) reached through a TCP
  forwarder the drill can cut; broker and cache reach Redis directly.

Citizens sign in, upload and file through web A; the workers issue the acknowledgements (one
worker is SIGKILLed while it holds a task, the other finishes the work); the officer receives
the dossiers through web B; the receipts (form 01) the workers render are downloaded through web
B, and so are the files uploaded through A. The beat holding the lock is SIGKILLed and the other
takes over and sends the sweeps. Then the limits Redis is cut for 20 s while citizens sign in, open
their dossiers and look them up: no answer is a 5xx; the surviving beat outlives the cut and
schedules again. Figures are printed. About two minutes here.
"""

import hashlib
import os
import re
import signal
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest

from accounts.constants import Role
from dossiers.constants import DocumentKind
from dossiers.models import Attachment, Dossier, DossierDocument
from tests.dossiers.conftest import office  # noqa: F401 - fixture
from tests.emc_sync.drill_helpers import NEEDS, ON_POSTGRES, REDIS_URL, ROOT, TcpForward, run_database_url
from tests.factories import ComponentFactory, UserFactory
from tests.s3 import Bucket, MotoServer

from .nodes import HIDDEN, Beat, Node, Person, Web, Worker, fetch, file_a_dossier, redis_at, token, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.skipif(not (ON_POSTGRES and REDIS_URL), reason=NEEDS)]

CITIZENS = int(os.environ.get("DRILL_CITIZENS", "6"))
LOCK_SECONDS = 10  # the beat's lock: a killed holder's lapses within this
VISIBILITY_SECONDS = 12  # a killed worker's task goes to the other after this
CUT_SECONDS = 20  # the limits Redis is away this long
SWEEP = "emc_sync.tasks.outbox_sweep_task"


@pytest.mark.django_db(transaction=True)
def test_several_machines_lose_nothing(office, tmp_path):  # noqa: F811
    import redis

    # given the people and the procedure (online, one document, no e-form), in the database the
    # processes share
    procedure, agency = office["procedure"], office["agency"]
    component = ComponentFactory(procedure=procedure, name="Giấy chứng sinh", required=True)
    citizens = [
        UserFactory(username=f"03709000{n:04d}", citizen_id=f"03709000{n:04d}", role=Role.CITIZEN,
                    full_name=f"Công Dân {n}")
        for n in range(CITIZENS)
    ]  # fmt: skip
    redis.Redis.from_url(REDIS_URL).flushdb()

    s3 = MotoServer()
    bucket = Bucket(s3, f"dvctt-drill-{uuid.uuid4().hex[:8]}")
    s3.client().create_bucket(Bucket=bucket.name)
    real = urlsplit(REDIS_URL)
    limits = TcpForward((real.hostname or "127.0.0.1", real.port or 6379))
    limits.up()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
        "DATABASE_URL": run_database_url(),
        "REDIS_URL": REDIS_URL,  # broker and cache
        "REDIS_LIMITS_URL": redis_at(limits.port),  # rate limits, locks, the beat's schedule and lock
        "BEAT_LOCK_TIMEOUT_SECONDS": str(LOCK_SECONDS),
        "BROKER_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_SECONDS),
        "BROKER_RESTORE_SECONDS": "2",
        "SYNC_ENABLED": "false",  # the national sync has its own drills (tests/emc_sync)
        **bucket.environment(),
    }
    nodes: list[Node] = []
    started = time.monotonic()
    try:
        web_a, web_b = Web("web-a", environment, tmp_path), Web("web-b", environment, tmp_path)
        worker_1, worker_2 = Worker("worker-1", environment, tmp_path), Worker("worker-2", environment, tmp_path)
        beat_1 = Beat("beat-1", environment, tmp_path)
        nodes += [web_a, web_b, worker_1, worker_2, beat_1]
        wait_for(beat_1.holds_lock, 60, "first beat takes the lock")
        beat_2 = Beat("beat-2", environment, tmp_path)
        nodes.append(beat_2)
        for node in (web_a, web_b, worker_1, worker_2):
            wait_for(node.ready, 90, f"{node.name} ready", every=0.5, node=node)
        wait_for(lambda: "beat: Starting..." in beat_2.log(), 60, "second beat starts")

        # when citizens sign in and file through web A; worker 1 is SIGKILLed while it holds a task
        people = [Person(citizen.username) for citizen in citizens]
        codes = []
        killed_mid_task = False
        for person in people:
            assert person.sign_in(web_a).status_code == 302
            codes.append(file_a_dossier(person, web_a, procedure.code, agency.pk, component.pk))
            if not killed_mid_task and worker_1.busy():
                worker_1.kill()
                killed_mid_task = True
        if not killed_mid_task:
            wait_for(lambda: worker_1.busy() or not worker_1.alive(), 30, "worker 1 takes a task", every=0.02)
            worker_1.kill()
        killed_at = time.monotonic()

        # then every acknowledgement is rendered by the surviving worker (the killed one's task too)
        acks = DossierDocument.objects.filter(kind=DocumentKind.SUBMISSION_ACK, dossier__code__in=codes)
        wait_for(lambda: acks.count() == CITIZENS, VISIBILITY_SECONDS + 40, "acknowledgements of every dossier", 0.5)
        recovered_after = time.monotonic() - killed_at
        assert set(worker_1.received()) - set(worker_1.succeeded()), "worker 1 was killed holding a task"

        # when the beat holding the lock is killed (the other's taking over is watched meanwhile)
        beat_1.kill()
        handed_over: list[float] = []
        watch = threading.Thread(
            target=lambda: handed_over.append(wait_for(beat_2.holds_lock, LOCK_SECONDS + 30, "hand-over", 0.1)),
            daemon=True,
        )
        watch.start()

        # ... and the reception officer receives every dossier through web B
        officer = Person(Role.RECEPTION_OFFICER)
        assert officer.sign_in(web_b).status_code == 302
        for code in codes:
            page = officer.get(web_b, f"/can-bo/ho-so/{code}/")
            assert page.status_code == 200
            hidden = dict(HIDDEN.findall(page.text))
            done = officer.post(web_b, f"/can-bo/ho-so/{code}/thao-tac/",
                                {"action": "receive", "comment": "", "csrfmiddlewaretoken": token(page.text), **hidden})  # fmt: skip
            assert (done.status_code, done.headers.get("Location")) == (302, f"/can-bo/ho-so/{code}/")
        assert Dossier.objects.filter(code__in=codes, status=2).count() == CITIZENS

        # then the other beat takes over
        watch.join(LOCK_SECONDS + 35)
        assert handed_over, "the second beat did not take the lock"

        # ... and the workers render the receipts, which citizens download through web B, with
        # the files they uploaded through web A: from the bucket, never written by a web process
        receipts = DossierDocument.objects.filter(kind=DocumentKind.RECEIPT, dossier__code__in=codes)
        wait_for(lambda: receipts.count() == CITIZENS, 60, "receipts of every dossier", 0.5)
        documents_before = DossierDocument.objects.count()
        downloads = 0
        for person, code in zip(people, codes, strict=True):
            dossier = Dossier.objects.get(code=code)
            for kind in (DocumentKind.RECEIPT, DocumentKind.SUBMISSION_ACK):
                pdf = fetch(person, web_b, f"/ho-so-cua-toi/{code}/van-ban/{kind}/")
                assert hashlib.sha256(pdf).hexdigest() == dossier.documents.get(kind=kind).sha256
                downloads += 1
            attachment = Attachment.objects.get(dossier=dossier)
            assert (
                hashlib.sha256(fetch(person, web_b, f"/tep-dinh-kem/{attachment.uuid}/")).hexdigest()
                == attachment.sha256
            )
            downloads += 1
        assert DossierDocument.objects.count() == documents_before  # the web issued none on demand
        stored = set(bucket.object_keys())
        assert {d.file.name for d in DossierDocument.objects.filter(dossier__code__in=codes)} <= stored
        assert {a.file.name for a in Attachment.objects.filter(dossier__code__in=codes)} <= stored
        assert [str(p) for node in nodes for p in node.local_files()] == []

        # ... and the new holder sends the sweeps
        wait_for(lambda: SWEEP in beat_2.sent(), 45, "second beat sends the sync sweep")

        # when the Redis of rate limits and locks is cut while citizens sign in, look up and upload
        sent_before_cut = len(beat_2.sent())
        limits.down()
        cut_at = time.monotonic()
        during: Counter[int] = Counter()
        while time.monotonic() - cut_at < CUT_SECONDS:
            for person, code in zip(people, codes, strict=True):
                for web in (web_a, web_b):
                    before = person.statuses.copy()
                    signed_in = person.sign_in(web)
                    assert signed_in.status_code == 302, signed_in.status_code
                    assert person.get(web, "/ho-so-cua-toi/").status_code == 200
                    page = person.get(web, "/tra-cuu/")
                    found = person.post(web, "/tra-cuu/", {"ma": code, "so_cuoi": person.username[-4:],
                                                          "csrfmiddlewaretoken": token(page.text)})  # fmt: skip
                    assert found.status_code == 200, found.status_code
                    during += person.statuses - before
                if time.monotonic() - cut_at >= CUT_SECONDS:
                    break
        limits.up()
        assert beat_2.alive(), beat_2.log()[-3000:]

        # then no answer was a 5xx, and once it is back the beat schedules again
        assert sum(n for status, n in during.items() if status >= 500) == 0, during
        wait_for(lambda: len(beat_2.sent()) > sent_before_cut, 45, "the beat schedules again after the cut")
        assert "Redis unreachable" in beat_2.log()
        total = time.monotonic() - started
        tasks = Counter(
            task for worker in (worker_1, worker_2)
            for task in re.findall(r"Task ([\w.]+)\[[0-9a-f-]+\] succeeded", worker.log())
        )  # fmt: skip
        statuses = sum((p.statuses for p in [*people, officer]), Counter())
        print(  # noqa: T201 - the drill's figures, asked for in the test output
            f"\nmulti-node drill ({total:.0f} s): {CITIZENS} uploads and dossiers through web A, "
            f"{CITIZENS} received through web B, {downloads} downloads through web B; "
            f"tasks done {dict(tasks)}; worker 1 SIGKILLed holding a task, its work done "
            f"{recovered_after:.1f} s later; beat hand-over {handed_over[0]:.1f} s after SIGKILL "
            f"(lock {LOCK_SECONDS} s); limits Redis cut {CUT_SECONDS} s: {sum(during.values())} requests "
            f"{dict(during)}; all answers {dict(statuses)}"
        )
        assert all(status < 500 for status in statuses)
    finally:
        limits.down()
        for node in reversed(nodes):
            node.kill(signal.SIGTERM if isinstance(node, Web) else signal.SIGKILL)
        s3.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()
