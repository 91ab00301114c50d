"""Fault injection: errors, latency and outages on demand, for retry and backoff drills.

The settings live in one database row (FaultState), so every thread and process of the stand-in
obeys the same faults. Without a row, the environment's MOCK_PORTAL_FAULTS (JSON) applies.
With a "seed", the n-th draw of the run is always the same: a drill is repeatable.
"""

import json
import os
import random
import secrets
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import JsonResponse
from django.utils import timezone

from .models import FaultState
from .validation import record_errors

DEFAULTS: dict[str, Any] = {
    "error_rate": 0.0,
    "error_kinds": ["500", "503", "timeout"],
    "timeout_seconds": 10,
    "latency_ms": 0,
    "down_for_seconds": 0,
    "seed": None,
    "payment_notify": True,
}
STATE_ID = 1


def from_environment() -> dict[str, Any]:
    raw = os.environ.get("MOCK_PORTAL_FAULTS", "").strip()
    return json.loads(raw) if raw else {}


def config_errors(config: object) -> list[str]:
    return record_errors("faults", config)


def _complete(config: dict[str, Any]) -> dict[str, Any]:
    return {**DEFAULTS, **config}


def faults_set(*, config: dict[str, Any]) -> FaultState:
    """Replace the fault settings (missing keys take their defaults); the down window starts now."""
    complete = _complete(config)
    down = complete["down_for_seconds"]
    down_until = timezone.now() + timedelta(seconds=down) if down > 0 else None
    state, _created = FaultState.objects.update_or_create(
        pk=STATE_ID, defaults={"config": complete, "down_until": down_until, "draws": 0}
    )
    return state


def faults_get() -> FaultState:
    """The current settings; the first call after a reset takes them from the environment."""
    state = FaultState.objects.filter(pk=STATE_ID).first()
    if state is not None:
        return state
    config = from_environment()
    complete = _complete(config)
    down = complete["down_for_seconds"]
    down_until = timezone.now() + timedelta(seconds=down) if down > 0 else None
    state, _created = FaultState.objects.get_or_create(
        pk=STATE_ID, defaults={"config": complete, "down_until": down_until}
    )
    return state


def _draw(seed: object) -> random.Random:
    if seed is None:
        return random.Random(secrets.randbits(64))  # noqa: S311 - a fault drill, not cryptography
    with transaction.atomic():
        FaultState.objects.filter(pk=STATE_ID).update(draws=F("draws") + 1)
        number = FaultState.objects.values_list("draws", flat=True).get(pk=STATE_ID)
    return random.Random(f"{seed}:{number}")  # noqa: S311


def _answer(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error_code": str(status), "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def fault_response() -> JsonResponse | None:
    """The injected failure for this request, or None to serve it normally."""
    state = faults_get()
    config = state.config
    if state.down_until is not None and timezone.now() < state.down_until:
        return _answer(503, "Hệ thống đang bảo trì, vui lòng thử lại sau (giả lập).")
    if config["latency_ms"] > 0:
        time.sleep(config["latency_ms"] / 1000)
    if config["error_rate"] <= 0 or not config["error_kinds"]:
        return None
    rng = _draw(config["seed"])
    if rng.random() >= config["error_rate"]:
        return None
    kind = rng.choice(config["error_kinds"])
    if kind == "timeout":
        time.sleep(config["timeout_seconds"])
        return _answer(504, "Hết thời gian chờ xử lý (giả lập).")
    if kind == "503":
        return _answer(503, "Dịch vụ tạm thời không sẵn sàng (giả lập).")
    return _answer(500, "Lỗi hệ thống (giả lập).")
