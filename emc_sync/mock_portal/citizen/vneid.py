"""The VNeID stand-in's logic: signing key, authorization codes, tokens (views stay thin)."""

import base64
import datetime as dt
import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm

from . import config
from .identities import BY_CITIZEN_ID, DEMO_PASSWORD, Identity
from .models import AccessToken, AuthorizationCode, SigningKey

SIGNING_ALG = "RS256"
CODE_LIFETIME = dt.timedelta(seconds=60)
ACCESS_TOKEN_LIFETIME = dt.timedelta(hours=1)
ID_TOKEN_LIFETIME = dt.timedelta(minutes=10)
KEY_NAME = "vneid"


class OAuthError(Exception):
    """An OAuth 2.0 error answer: `error` code, description and HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


# --- signing key -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    private_key: rsa.RSAPrivateKey
    kid: str

    def jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": SIGNING_ALG}


@functools.lru_cache(maxsize=8)
def _parse(pem: str) -> Key:
    private_key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError("MOCK_VNEID_PRIVATE_KEY must be an RSA private key")
    public = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    # RFC 7638 thumbprint: stable for a given key, so every process names it the same.
    canonical = json.dumps({"e": public["e"], "kty": "RSA", "n": public["n"]}, separators=(",", ":"))
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()[:16]
    return Key(private_key=private_key, kid=kid)


def signing_key_get() -> Key:
    """The key from `MOCK_VNEID_PRIVATE_KEY`, else the one stored in the database (made on first use).

    Several processes (the portal and a separate stand-in) share the database, so they agree on
    the key; a race on first use is settled by the unique name (the loser reads the winner's key).
    """
    pem = config.vneid_private_key_pem()
    if not pem:
        stored = SigningKey.objects.filter(name=KEY_NAME).values_list("private_key_pem", flat=True).first()
        if stored is None:
            new_pem = (
                rsa.generate_private_key(public_exponent=65537, key_size=2048)
                .private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
                .decode()
            )
            stored = SigningKey.objects.get_or_create(name=KEY_NAME, defaults={"private_key_pem": new_pem})[
                0
            ].private_key_pem
        pem = stored
    return _parse(pem)


def jwks() -> dict[str, Any]:
    return {"keys": [signing_key_get().jwk()]}


# --- authorization -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizeRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    code_challenge: str


def client_redirect_check(*, client_id: str, redirect_uri: str) -> None:
    """Raise if the client or its redirect URI is unknown: then the browser must NOT be redirected."""
    if client_id not in config.vneid_clients():
        raise OAuthError("invalid_client", "Ứng dụng (client_id) không được đăng ký với VNeID.")
    if not config.redirect_uri_allowed(redirect_uri):
        raise OAuthError("invalid_request", "Địa chỉ chuyển hướng (redirect_uri) không được phép.")


def authorize_request_parse(params: dict[str, str]) -> AuthorizeRequest:
    """Check an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, PKCE S256).

    Raises OAuthError: with status 400 when the client or redirect URI is wrong (show a page),
    with status 302 for errors that go back to the client's redirect URI.
    """
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    client_redirect_check(client_id=client_id, redirect_uri=redirect_uri)
    if params.get("response_type") != "code":
        raise OAuthError("unsupported_response_type", "Chỉ hỗ trợ response_type=code.", 302)
    scope = params.get("scope", "")
    if "openid" not in scope.split():
        raise OAuthError("invalid_scope", "Phạm vi (scope) phải có openid.", 302)
    code_challenge = params.get("code_challenge", "")
    if code_challenge and params.get("code_challenge_method") != "S256":
        raise OAuthError("invalid_request", "Chỉ hỗ trợ code_challenge_method=S256.", 302)
    return AuthorizeRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=params.get("state", ""),
        nonce=params.get("nonce", ""),
        code_challenge=code_challenge,
    )


def identity_authenticate(*, citizen_id: str, password: str) -> Identity | None:
    identity = BY_CITIZEN_ID.get(citizen_id.strip())
    if identity is None or not secrets.compare_digest(password.encode(), DEMO_PASSWORD.encode()):
        return None
    return identity


def authorization_code_issue(*, request: AuthorizeRequest, identity: Identity) -> AuthorizationCode:
    """A fresh single-use code for this login, valid for CODE_LIFETIME."""
    return AuthorizationCode.objects.create(
        code=secrets.token_urlsafe(32),
        client_id=request.client_id,
        redirect_uri=request.redirect_uri,
        scope=request.scope,
        sub=identity.citizen_id,
        nonce=request.nonce,
        code_challenge=request.code_challenge,
        expires_at=timezone.now() + CODE_LIFETIME,
    )


# --- token and userinfo ------------------------------------------------------------------------


def client_authenticate(*, client_id: str, client_secret: str) -> str:
    """The client id if the secret matches (client_secret_basic or client_secret_post), else 401."""
    expected = config.vneid_clients().get(client_id)
    if expected is None or not secrets.compare_digest(client_secret.encode(), expected.encode()):
        raise OAuthError("invalid_client", "Sai client_id hoặc client_secret.", 401)
    return client_id


def _pkce_ok(challenge: str, verifier: str) -> bool:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return secrets.compare_digest(computed, challenge)


def authorization_code_redeem(
    *, client_id: str, code: str, redirect_uri: str, code_verifier: str, issuer: str
) -> dict[str, Any]:
    """Exchange a code for tokens (RFC 6749 §4.1.3); the code works once.

    A second use is refused and revokes the tokens the first use gave (RFC 6749 §4.1.2): that
    revocation must be committed, so the refusal is raised after the transaction, not inside it.
    """
    with transaction.atomic():
        found = AuthorizationCode.objects.select_for_update().filter(code=code).first()
        if found is not None and found.client_id == client_id and found.used_at is not None:
            found.access_tokens.all().delete()
            reused = True
        else:
            reused = False
            tokens = _redeem(
                found=found, client_id=client_id, redirect_uri=redirect_uri, code_verifier=code_verifier, issuer=issuer
            )
    if reused:
        raise OAuthError("invalid_grant", "Mã xác thực đã được sử dụng.")
    return tokens


def _redeem(
    *, found: AuthorizationCode | None, client_id: str, redirect_uri: str, code_verifier: str, issuer: str
) -> dict[str, Any]:
    now = timezone.now()
    if found is None or found.client_id != client_id:
        raise OAuthError("invalid_grant", "Mã xác thực không hợp lệ.")
    if found.expires_at <= now:
        raise OAuthError("invalid_grant", "Mã xác thực đã hết hạn.")
    if found.redirect_uri != redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri không khớp với yêu cầu xác thực.")
    if found.code_challenge and not _pkce_ok(found.code_challenge, code_verifier):
        raise OAuthError("invalid_grant", "code_verifier không đúng.")
    found.used_at = now
    found.save(update_fields=["used_at"])

    access = AccessToken.objects.create(
        token=secrets.token_urlsafe(32),
        client_id=client_id,
        sub=found.sub,
        scope=found.scope,
        expires_at=now + ACCESS_TOKEN_LIFETIME,
        authorization_code=found,
    )
    identity = BY_CITIZEN_ID[found.sub]
    claims: dict[str, Any] = {
        **identity.claims(),
        "iss": issuer,
        "aud": client_id,
        "iat": int(now.timestamp()),
        "auth_time": int(found.created_at.timestamp()),
        "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
        "at_hash": _at_hash(access.token),
    }
    if found.nonce:
        claims["nonce"] = found.nonce
    key = signing_key_get()
    id_token = jwt.encode(claims, key.private_key, algorithm=SIGNING_ALG, headers={"kid": key.kid})
    return {
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        "scope": found.scope,
        "id_token": id_token,
    }


def _at_hash(access_token: str) -> str:
    # OIDC Core §3.1.3.6: left half of the SHA-256 of the access token, base64url.
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def userinfo_get(*, token: str) -> dict[str, object]:
    """The claims of the person behind a live access token, else 401 invalid_token."""
    access = AccessToken.objects.filter(token=token, expires_at__gt=timezone.now()).first()
    if access is None:
        raise OAuthError("invalid_token", "Access token không hợp lệ hoặc đã hết hạn.", 401)
    return BY_CITIZEN_ID[access.sub].claims()
