"""The simulated people of bench/load.py (run by locust in its own process: locust patches with gevent).

The plan (accounts, the procedure, its agency and documents) is a JSON file that bench/load.py
writes after seeding and names in LOAD_PLAN. Every request is named "<who>: <step>", so locust's
table is per endpoint; each whole journey's time (think time between steps excluded) and outcome
go to a JSON file (PLAN["journeys_path"]) when the run stops.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gevent
from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STEP_FIELD = re.compile(r'name="([^"]+-current_step)"')
QUEUE_CODE = re.compile(r'href="/can-bo/ho-so/([^/"]+)/"')
HIDDEN = re.compile(r'<input type="hidden" name="(expected_sequence|idempotency_key)" value="([^"]*)"')
SUBMITTED = re.compile(r"^/ho-so-cua-toi/([^/]+)/da-nop/$")
# What people type: with and without diacritics, capitals, the national code.
SEARCHES = [
    "đăng ký khai sinh",
    "dang ky khai sinh",
    "Khai sinh",
    "đăng ký kết hôn",
    "dang ky ket hon",
    "cấp bản sao trích lục",
    "chung thuc ban sao",
    "giấy phép xây dựng",
    "1.001193",
]
CITIZENS: Iterator[str] = itertools.cycle(PLAN["citizens"])
OFFICERS: Iterator[str] = itertools.cycle(PLAN["officers"])
THINK = (PLAN["think_min_s"], PLAN["think_max_s"])


class JourneyFailed(Exception):
    pass


def think() -> None:
    gevent.sleep(random.uniform(*THINK))


def token(page: str) -> str:
    found = CSRF_FIELD.search(page)
    if found is None:
        raise JourneyFailed("no CSRF token in the page")
    return html.unescape(found.group(1))


# Each journey: (name, milliseconds of its own requests, error or ""); written at the end of the run.
JOURNEYS: list[tuple[str, float, str]] = []


def shown(page: str, name: str) -> str:
    """The value the page shows in an input (prefilled from the profile): a browser posts it back."""
    found = re.search(rf'name="{re.escape(name)}"[^>]*? value="([^"]*)"', page)
    if found is None:
        raise JourneyFailed(f"no prefilled value for {name}")
    return html.unescape(found.group(1))


@contextmanager
def journey(name: str) -> Iterator[dict[str, Any]]:
    """Times the journey's own requests (not the think time) and records whether it finished.

    The journey may rename itself by outcome (`clock["name"]`), e.g. a dossier another officer
    received first: that is the office working, not an error.
    """
    clock: dict[str, Any] = {"think": 0.0, "name": name}
    started = time.perf_counter()
    error = ""
    try:
        yield clock
    except Exception as exception:  # noqa: BLE001 - recorded; the failed request itself is in locust's table
        error = f"{type(exception).__name__}: {exception}"
    JOURNEYS.append((clock["name"], (time.perf_counter() - started - clock["think"]) * 1000, error))


@events.test_stop.add_listener
def write_journeys(**_kwargs: Any) -> None:
    with open(PLAN["journeys_path"], "w", encoding="utf-8") as file:
        json.dump(JOURNEYS, file, ensure_ascii=False)


class Portal(HttpUser):
    abstract = True
    wait_time = between(*THINK)

    def step(self, clock: dict[str, Any]) -> None:
        started = time.perf_counter()
        think()
        clock["think"] += time.perf_counter() - started

    def get(self, name: str, path: str, *, expect: int = 200, **kwargs: Any) -> str:
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False, **kwargs) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}, expected {expect}")
                raise JourneyFailed(f"{name}: {response.status_code}")
            return response.text

    def post(self, name: str, path: str, data: dict[str, Any], *, expect: int = 302, **kwargs: Any) -> Any:
        with self.client.post(
            path, data=data, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}, expected {expect}")
                raise JourneyFailed(f"{name}: {response.status_code}")
            return response

    def login(self, who: str, username: str) -> None:
        page = self.get(f"{who}: login page", "/tai-khoan/dang-nhap/")
        data = {"username": username, "password": PLAN["password"], "csrfmiddlewaretoken": token(page)}
        response = self.post(f"{who}: login", "/tai-khoan/dang-nhap/", data)
        if "sessionid" not in self.client.cookies:
            response.failure("no session after login")
            raise JourneyFailed("login refused")


class Citizen(Portal):
    weight = PLAN["citizen_weight"]

    def browse(self) -> None:
        """Someone looking: two searches (one typed without diacritics), then a procedure's page."""
        with journey("citizen: browse the catalogue") as clock:
            self.get("citizen: search", "/thu-tuc/", params={"q": random.choice(SEARCHES)})
            self.step(clock)
            self.get("citizen: search", "/thu-tuc/", params={"q": random.choice(SEARCHES)})
            self.step(clock)
            self.get("citizen: procedure page", f"/thu-tuc/{random.choice(PLAN['browse_codes'])}/")

    def file(self) -> None:
        """A citizen files a birth registration online, start to finish, then follows it."""
        self.client.cookies.clear()
        code = PLAN["procedure"]
        with journey("citizen: file a dossier") as clock:
            self.get("citizen: search", "/thu-tuc/", params={"q": "dang ky khai sinh"})
            self.step(clock)
            self.get("citizen: search", "/thu-tuc/", params={"q": "đăng ký khai sinh"})
            self.step(clock)
            self.get("citizen: procedure page", f"/thu-tuc/{code}/")
            self.step(clock)
            self.login("citizen", next(CITIZENS))
            self.step(clock)
            page = self.get("citizen: start page", f"/thu-tuc/{code}/nop-ho-so/")
            started = self.post(
                "citizen: start draft",
                f"/thu-tuc/{code}/nop-ho-so/",
                {"agency": PLAN["agency_pk"], "csrfmiddlewaretoken": token(page)},
            )
            form_url = started.headers["Location"]
            draft_token = form_url.rstrip("/").split("/")[-2]
            page = self.get("citizen: e-form", form_url)
            step_field = STEP_FIELD.search(page)
            if step_field is None:
                raise JourneyFailed("no wizard step field in the e-form")
            for step_key, answers in PLAN["eform_steps"]:
                self.step(clock)
                data = {
                    step_field.group(1): step_key,
                    "csrfmiddlewaretoken": token(page),
                    **{f"{step_key}-{key}": shown(page, f"{step_key}-{key}") if value is None else value
                       for key, value in answers.items()},
                }  # fmt: skip
                self.post("citizen: e-form step", form_url, data)
                page = self.get("citizen: e-form", form_url)
            saved = self.post(
                "citizen: e-form confirm",
                form_url,
                {step_field.group(1): PLAN["eform_confirm_step"], "csrfmiddlewaretoken": token(page)},
            )
            files_url = saved.headers["Location"]
            page = self.get("citizen: documents page", files_url)
            for component in PLAN["components"]:
                self.step(clock)
                with self.client.post(
                    f"/tep-dinh-kem/ho-so-nhap/{draft_token}/tai-len/",
                    data={"component": component, "next": files_url, "csrfmiddlewaretoken": token(page)},
                    files={"file": ("giay-chung-sinh.pdf", PLAN_PDF, "application/pdf")},
                    headers={"Accept": "application/json"},
                    name="citizen: upload PDF",
                    catch_response=True,
                    allow_redirects=False,
                ) as response:
                    if response.status_code != 201:
                        response.failure(f"{response.status_code}: {response.text[:200]}")
                        raise JourneyFailed("upload refused")
            self.step(clock)
            review_url = f"/ho-so-cua-toi/dang-soan/{draft_token}/kiem-tra/"
            page = self.get("citizen: check page", review_url)
            self.step(clock)
            done = self.post("citizen: submit", review_url, {"declaration": "on", "csrfmiddlewaretoken": token(page)})
            submitted = SUBMITTED.match(done.headers.get("Location", ""))
            if submitted is None:
                raise JourneyFailed(f"submit went to {done.headers.get('Location')!r}")
            self.get("citizen: submitted page", done.headers["Location"])
            self.step(clock)
            self.get("citizen: track dossier", f"/ho-so-cua-toi/{submitted.group(1)}/")
            self.get("citizen: my dossiers", "/ho-so-cua-toi/")
        self.client.cookies.clear()

    tasks = {browse: PLAN["browse_weight"], file: PLAN["file_weight"]}


class Officer(Portal):
    weight = PLAN["officer_weight"]

    def on_start(self) -> None:
        with journey("officer: sign in"):
            self.login("officer", next(OFFICERS))

    @task
    def receive(self) -> None:
        """A reception officer opens the queue, opens a new dossier and receives it."""
        with journey("officer: receive a dossier") as clock:
            page = self.get("officer: queue", "/can-bo/ho-so/", params={"hang": "cho-tiep-nhan"})
            codes = QUEUE_CODE.findall(page)
            if not codes:
                clock["name"] = "officer: queue empty"
                return
            code = random.choice(codes)  # not always the first: officers at the same desk spread out
            self.step(clock)
            page = self.get("officer: dossier page", f"/can-bo/ho-so/{code}/")
            hidden = dict(HIDDEN.findall(page))
            if "idempotency_key" not in hidden:
                clock["name"] = "officer: receive (taken by another officer)"
                return
            self.step(clock)
            done = self.post(
                "officer: receive",
                f"/can-bo/ho-so/{code}/thao-tac/",
                {"action": "receive", "comment": "", "csrfmiddlewaretoken": token(page), **hidden},
            )
            if done.headers.get("Location") != f"/can-bo/ho-so/{code}/":
                raise JourneyFailed(f"receive went to {done.headers.get('Location')!r}")
            page = self.get("officer: dossier page", f"/can-bo/ho-so/{code}/")
            if PLAN["received_message"] not in page:
                # The action was refused with a message (another officer received it first).
                clock["name"] = "officer: receive (taken by another officer)"


PLAN_PDF: bytes = open(PLAN["pdf_path"], "rb").read()  # noqa: SIM115
