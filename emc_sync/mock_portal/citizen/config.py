"""The stand-in's configuration, read from its own environment at each use (tests may change it)."""

import os
from urllib.parse import urlsplit

DEFAULT_VNEID_CLIENTS = "dvctt:dvctt-secret"
DEFAULT_REDIRECT_ORIGINS = "http://127.0.0.1,http://localhost"
DEFAULT_PAYMENT_MERCHANTS = "dvctt"
DEFAULT_PAYMENT_SECRET = "payment-secret"  # noqa: S105 - the published default of a stand-in


def _pairs(raw: str) -> dict[str, str]:
    pairs = {}
    for item in raw.split(","):
        name, _, secret = item.strip().partition(":")
        if name:
            pairs[name] = secret
    return pairs


def vneid_clients() -> dict[str, str]:
    """client_id → client_secret, from `MOCK_VNEID_CLIENTS` ("id:secret,id2:secret2")."""
    return _pairs(os.environ.get("MOCK_VNEID_CLIENTS", DEFAULT_VNEID_CLIENTS))


def vneid_private_key_pem() -> str:
    """A PEM from `MOCK_VNEID_PRIVATE_KEY` (literal newlines or `\\n`), or "" to use the stored key."""
    return os.environ.get("MOCK_VNEID_PRIVATE_KEY", "").replace("\\n", "\n").strip()


def vneid_issuer() -> str:
    """`MOCK_VNEID_ISSUER` when browsers and servers reach the stand-in by different hosts; else "".

    Empty means: the issuer is built from the host of each request (`<scheme>://<host>/…/vneid`).
    """
    return os.environ.get("MOCK_VNEID_ISSUER", "").rstrip("/")


def redirect_uri_allowed(uri: str) -> bool:
    """Whether `uri` lies under one of `MOCK_VNEID_REDIRECT_ORIGINS` (comma separated).

    An origin without a port allows any port of that scheme and host; the comparison is on the
    parsed scheme, host and port, so `http://127.0.0.1.evil.example` does not pass for
    `http://127.0.0.1`.
    """
    try:
        target = urlsplit(uri)
        target_port = target.port
    except ValueError:
        return False
    if not target.hostname or target.fragment:
        return False
    for raw in os.environ.get("MOCK_VNEID_REDIRECT_ORIGINS", DEFAULT_REDIRECT_ORIGINS).split(","):
        origin = urlsplit(raw.strip())
        if (
            origin.scheme == target.scheme
            and origin.hostname == target.hostname
            and (origin.port is None or origin.port == target_port)
        ):
            return True
    return False


def payment_secret() -> str:
    return os.environ.get("MOCK_PAYMENT_SECRET", DEFAULT_PAYMENT_SECRET)


def payment_merchants() -> set[str]:
    return {
        m.strip() for m in os.environ.get("MOCK_PAYMENT_MERCHANTS", DEFAULT_PAYMENT_MERCHANTS).split(",") if m.strip()
    }
