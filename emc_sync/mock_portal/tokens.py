"""OAuth2 client credentials for the stand-in: signed, expiring bearer tokens (nothing stored).

Clients come from the stand-in's own environment: MOCK_PORTAL_CLIENTS="id:secret,id2:secret2".
"""

import hmac
import os

from django.core import signing
from django.http import HttpRequest

SALT = "mock_portal.oauth"
DEFAULT_CLIENTS = "dvctt:dvctt-secret"


def clients() -> dict[str, str]:
    pairs = (item.strip().partition(":") for item in os.environ.get("MOCK_PORTAL_CLIENTS", DEFAULT_CLIENTS).split(","))
    return {client_id: secret for client_id, _colon, secret in pairs if client_id}


def lifetime_seconds() -> int:
    return int(os.environ.get("MOCK_PORTAL_TOKEN_SECONDS", "3600"))


def token_issue(*, client_id: str, client_secret: str) -> str | None:
    """A bearer token for a client with the right secret, else None."""
    expected = clients().get(client_id)
    if expected is None or not hmac.compare_digest(expected.encode(), client_secret.encode()):
        return None
    return signing.dumps({"client_id": client_id}, salt=SALT)


def token_client(token: str) -> str | None:
    """The client a token was issued to, or None when the token is unknown or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=lifetime_seconds())
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    client_id = data.get("client_id") if isinstance(data, dict) else None
    return client_id if client_id in clients() else None


def bearer_client(request: HttpRequest) -> str | None:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token_client(token.strip())
