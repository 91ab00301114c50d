"""HTTP to the national portal and EMC: OAuth2 client-credentials token (cached), timeouts.

Every call returns an `Answer` (never raises for network trouble): delivery decides what an
answer means for the rows. The token is cached in Django's cache (Redis in the full stack,
so every worker shares it) until a minute before it expires, and fetched again on a 401.
"""

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from requests.adapters import HTTPAdapter

TOKEN_CACHE_KEY = "emc_sync:token:{client_id}"  # noqa: S105 - a cache key, not a secret
_session = requests.Session()
# Delivery sends from several threads at once (SYNC_SEND_CONCURRENCY): one pooled connection each.
_adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32)
_session.mount("http://", _adapter)
_session.mount("https://", _adapter)
_token_lock = threading.Lock()


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no answer at all (refused, reset, timed out)
    body: str
    error: str = ""
    duration_ms: int = 0

    @property
    def data(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def error_code(self) -> str | None:
        data = self.data
        if isinstance(data, dict) and "error_code" in data:
            return str(data["error_code"])
        return None

    @property
    def retryable(self) -> bool:
        """No answer, 5xx, 429 or 401 (our credentials, not the record) are worth trying again."""
        return self.status_code is None or self.status_code >= 500 or self.status_code in (401, 408, 429)


def _timeout() -> tuple[float, float]:
    read = float(settings.SYNC_HTTP_TIMEOUT)
    return (min(3.05, read), read)


def _fetch_token() -> tuple[str, int]:
    response = _session.post(
        settings.NATIONAL_PORTAL_TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": settings.NATIONAL_PORTAL_CLIENT_ID,
            "client_secret": settings.NATIONAL_PORTAL_CLIENT_SECRET,
        },
        timeout=_timeout(),
    )
    response.raise_for_status()
    data = response.json()
    return str(data["access_token"]), int(data.get("expires_in", 300))


def access_token(*, refresh: bool = False) -> str:
    """The bearer token, from the cache unless `refresh`; raises requests exceptions."""
    key = TOKEN_CACHE_KEY.format(client_id=settings.NATIONAL_PORTAL_CLIENT_ID)
    if not refresh:
        token = cache.get(key)
        if token:
            return str(token)
    with _token_lock:  # sending threads of one drain: one fetch, the others read it
        if not refresh:
            token = cache.get(key)
            if token:
                return str(token)
        token, expires_in = _fetch_token()
        cache.set(key, token, max(expires_in - 60, 1))
    return token


def _call(
    method: str,
    url: str,
    *,
    body: Any = None,
    params: dict[str, str] | None = None,
    keys: list[str],
    keep: int | None = 5000,
) -> Answer:
    started = time.monotonic()
    try:
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {access_token(refresh=attempt == 2)}"}
            if keys:
                headers["Idempotency-Key"] = ",".join(keys)
            response = _session.request(method, url, json=body, params=params, headers=headers, timeout=_timeout())
            if response.status_code != 401:
                break
    except requests.RequestException as error:
        return Answer(None, "", f"{type(error).__name__}: {error}"[:1000], int((time.monotonic() - started) * 1000))
    # A delivery's answer is kept with its attempt (cut short); a read (holdings, feed) is data, kept whole.
    return Answer(response.status_code, response.text[:keep], "", int((time.monotonic() - started) * 1000))


def post(url: str, body: Any, *, keys: list[str]) -> Answer:
    """POST JSON with the bearer token and one idempotency key per record (comma separated)."""
    return _call("POST", url, body=body, keys=keys)


def get(url: str, params: dict[str, str]) -> Answer:
    return _call("GET", url, params=params, keys=[], keep=None)


@dataclass(frozen=True)
class Download:
    status_code: int | None  # None: no answer at all
    content: bytes
    content_type: str
    error: str = ""


def download(url: str, *, max_bytes: int) -> Download:
    """GET a file with the bearer token, streamed, at most `max_bytes` (more is an error, not a
    cut file). Never raises for network trouble."""
    try:
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {access_token(refresh=attempt == 2)}"}
            response = _session.get(url, headers=headers, timeout=_timeout(), stream=True)
            if response.status_code != 401:
                break
            response.close()
        with response:
            if response.status_code != 200:
                return Download(response.status_code, b"", "", response.text[:300])
            content = b""
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > max_bytes:
                    return Download(response.status_code, b"", "", f"tệp lớn hơn {max_bytes // (1024 * 1024)} MB")
            return Download(200, content, response.headers.get("Content-Type", ""))
    except requests.RequestException as error:
        return Download(None, b"", "", f"{type(error).__name__}: {error}"[:1000])


def national_url(path: str) -> str:
    return settings.NATIONAL_PORTAL_URL.rstrip("/") + path


def emc_url(path: str) -> str:
    return settings.EMC_URL.rstrip("/") + path
