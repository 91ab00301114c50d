"""Load shedding (dvctt/load_shedding.py): under overload a polite 503 with Retry-After, before any
view runs, so nothing is half done; the health probes are never shed."""

import time

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from dossiers.models import Dossier, DossierDraft, DossierEvent
from dvctt.load_shedding import LoadSheddingMiddleware, queue_wait_ms
from emc_sync.models import OutboxRow

from .test_citizen_journey import fill_form, start_draft, upload

BUSY = "Hệ thống đang bận, vui lòng thử lại sau"


def queued_for(seconds: float) -> dict[str, str]:
    """The header nginx adds (`t=${msec}`), as if the request had waited this long in the queue."""
    return {"HTTP_X_REQUEST_START": f"t={time.time() - seconds:.3f}"}


def test_a_request_that_waited_too_long_in_the_queue_gets_the_busy_page(client, db, settings):
    settings.LOAD_SHED_MAX_QUEUE_MS, settings.LOAD_SHED_RETRY_AFTER_SECONDS = 2000, 15

    response = client.get("/", **queued_for(3))

    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert response["Cache-Control"] == "no-store"
    assert BUSY in page
    assert "Xin thử lại sau khoảng 15 giây." in page
    assert '<html lang="vi">' in page


def test_a_request_within_the_limit_is_served(client, db, settings):
    settings.LOAD_SHED_MAX_QUEUE_MS = 2000

    assert client.get("/", **queued_for(0.5)).status_code == 200
    assert client.get("/").status_code == 200  # no header (no nginx in front): never shed on it


def test_the_busy_page_speaks_english_to_who_chose_it(client, db, settings):
    settings.LOAD_SHED_MAX_QUEUE_MS = 2000
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/", **queued_for(3))

    assert response.status_code == 503
    assert "The system is busy, please try again later" in response.content.decode()
    assert response["Content-Language"] == "en"


def test_the_api_gets_json(client, db, settings):
    settings.LOAD_SHED_MAX_QUEUE_MS = 2000

    response = client.get("/api/v1/procedures/", **queued_for(3))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "busy", "message": BUSY}}
    assert response["Retry-After"] == "10"


def test_health_probes_are_never_shed(client, db, settings):
    settings.LOAD_SHED_MAX_QUEUE_MS = 2000

    assert client.get("/healthz", **queued_for(30)).status_code == 200
    assert client.get("/readyz", **queued_for(30)).status_code != 503


def test_a_shed_submission_did_nothing_and_the_draft_is_kept(client, service, settings):
    # given a citizen's draft ready to submit
    client.force_login(service["citizen"])
    draft = start_draft(client, service)
    fill_form(client, draft)
    upload(client, draft, service["component"])
    settings.LOAD_SHED_MAX_QUEUE_MS = 2000

    # when the submission arrives after waiting 3 s in a full queue
    response = client.post(reverse("dossiers:draft_review", args=[draft.token]), {"declaration": "on"}, **queued_for(3))

    # then it is refused politely, nothing was made, and the draft waits to be sent again
    assert response.status_code == 503
    assert "hồ sơ đang soạn của bạn vẫn được giữ nguyên" in response.content.decode()
    assert (Dossier.objects.count(), DossierEvent.objects.count(), OutboxRow.objects.count()) == (0, 0, 0)
    assert DossierDraft.objects.get(pk=draft.pk).dossier_id is None
    # and sent again once the queue is short, it makes its one dossier
    again = client.post(reverse("dossiers:draft_review", args=[draft.token]), {"declaration": "on"})
    assert again.status_code == 302
    assert Dossier.objects.count() == 1


def test_more_requests_in_flight_than_the_limit_sheds_the_newest(settings):
    # given a process that may run 2 requests at once, and a view that is running 2
    settings.LOAD_SHED_MAX_IN_FLIGHT = 2
    factory = RequestFactory()
    seen: list[int] = []

    def view(request):
        depth = int(request.GET.get("depth", "1"))
        if depth < 3:  # while this one runs, the next arrives (as on another thread)
            seen.append(middleware(factory.get(f"/?depth={depth + 1}")).status_code)
        return HttpResponse("ok")

    middleware = LoadSheddingMiddleware(view)

    # when the first request runs
    first = middleware(factory.get("/?depth=1"))

    # then the second was served, the third shed; and once they ended, the count is back to 0
    assert first.status_code == 200
    assert seen == [503, 200]
    assert middleware.in_flight == 0
    assert middleware(factory.get("/?depth=3")).status_code == 200


def test_queue_wait_reads_nginx_seconds_milliseconds_and_microseconds():
    now = 1_800_000_000.0
    assert queue_wait_ms("t=1799999999.250", now=now) == 750
    assert queue_wait_ms("1799999998000", now=now) == 2000
    assert queue_wait_ms("t=1799999999500000", now=now) == 500
    assert queue_wait_ms("t=nonsense", now=now) is None
    assert queue_wait_ms("t=1800000100.0", now=now) is None  # from the future: a clock off, not a queue
    assert queue_wait_ms(None, now=now) is None
