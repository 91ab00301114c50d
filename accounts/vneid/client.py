"""The portal as an OpenID Connect client of VNeID (authorization code flow).

Authlib does the protocol: discovery, state, nonce, PKCE (S256), the code exchange, and the
checks of the id token (RS256 signature with the keys of the issuer's jwks; iss, aud, exp, nonce).
This module only turns its outcomes into our refusals and the claims into a `VneidIdentity`.
Nothing here writes to the database.
"""

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponseRedirect
from joserfc.errors import JoseError

from procedures.text import to_nfc

from ..constants import Gender
from ..validators import validate_citizen_id, validate_phone
from .errors import (
    VneidCancelledError,
    VneidError,
    VneidSessionError,
    VneidTokenError,
    VneidUnavailableError,
)

logger = logging.getLogger(__name__)

_GENDERS = {
    "male": Gender.MALE, "nam": Gender.MALE, "m": Gender.MALE, "1": Gender.MALE,
    "female": Gender.FEMALE, "nữ": Gender.FEMALE, "nu": Gender.FEMALE, "f": Gender.FEMALE, "2": Gender.FEMALE,
}  # fmt: skip
# What the outside world can throw at us while VNeID is down or answering garbage: refused or
# timed-out connections, 5xx on discovery/jwks, a body that is not JSON, a discovery document
# without the endpoints Authlib needs.
_UNAVAILABLE = (requests.RequestException, ValueError, KeyError, RuntimeError)


@dataclass(frozen=True)
class VneidIdentity:
    """What VNeID attests about a citizen, cleaned; empty where a claim was missing or unusable."""

    citizen_id: str
    full_name: str
    date_of_birth: dt.date | None = None
    gender: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    level: int | None = None


def vneid_client() -> DjangoOAuth2App:
    """A client configured from settings; endpoints and keys come from the issuer's discovery document."""
    issuer = settings.VNEID_ISSUER.rstrip("/")
    return DjangoOAuth2App(
        DjangoIntegration("vneid"),
        name="vneid",
        client_id=settings.VNEID_CLIENT_ID,
        client_secret=settings.VNEID_CLIENT_SECRET,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.VNEID_SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": settings.VNEID_TIMEOUT_SECONDS,
        },
    )


def _load_metadata(client: DjangoOAuth2App) -> None:
    try:
        metadata = client.load_server_metadata()
    except _UNAVAILABLE as exc:
        logger.warning("VNeID discovery failed: %r", exc)
        raise VneidUnavailableError from exc
    # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer we asked.
    if str(metadata.get("issuer", "")).rstrip("/") != settings.VNEID_ISSUER.rstrip("/"):
        logger.error("VNeID discovery names issuer %r, expected %r", metadata.get("issuer"), settings.VNEID_ISSUER)
        raise VneidUnavailableError


def vneid_authorize_redirect(request: HttpRequest, *, redirect_uri: str) -> HttpResponseRedirect:
    """Send the browser to VNeID; state, nonce and the PKCE verifier are kept in the session."""
    client = vneid_client()
    _load_metadata(client)
    try:
        response: HttpResponseRedirect = client.authorize_redirect(request, redirect_uri)
    except _UNAVAILABLE as exc:
        logger.warning("VNeID authorization URL failed: %r", exc)
        raise VneidUnavailableError from exc
    return response


def vneid_identity_from_callback(request: HttpRequest) -> VneidIdentity:
    """Finish the flow VNeID sent the browser back from: check state, exchange the code, check the id token.

    Raises a `VneidError` for a cancelled login, an unknown state, an id token that fails a
    check, or an identity provider that does not answer. A state is usable once.
    """
    client = vneid_client()
    error = request.GET.get("error")
    if error:
        client.framework.clear_state_data(request.session, request.GET.get("state"))
        if error == "access_denied":
            raise VneidCancelledError
        logger.warning("VNeID refused the login: %s %s", error, request.GET.get("error_description", ""))
        raise VneidError
    _load_metadata(client)
    try:
        token = client.authorize_access_token(request)
    except MismatchingStateError as exc:
        raise VneidSessionError from exc
    except JoseError as exc:
        logger.warning("VNeID id token refused: %r", exc)
        raise VneidTokenError from exc
    except OAuthError as exc:
        logger.warning("VNeID token endpoint refused: %r", exc)
        raise VneidError from exc
    except _UNAVAILABLE as exc:
        logger.warning("VNeID token exchange failed: %r", exc)
        raise VneidUnavailableError from exc
    claims = token.get("userinfo")
    if not claims:  # no id token: nothing proves who this is
        raise VneidTokenError
    return vneid_identity_from_claims(claims)


def vneid_identity_from_claims(claims: Mapping[str, Any]) -> VneidIdentity:
    """The citizen id (`sub`) and name are required; other claims are dropped when unusable."""
    citizen_id = str(claims.get("sub", ""))
    full_name = " ".join(to_nfc(str(claims.get("name", ""))).split())
    try:
        validate_citizen_id(citizen_id)
    except ValidationError as exc:
        raise VneidTokenError from exc
    if not full_name:
        raise VneidTokenError
    return VneidIdentity(
        citizen_id=citizen_id,
        full_name=full_name,
        date_of_birth=_date(claims.get("birthdate")),
        gender=_GENDERS.get(str(claims.get("gender", "")).strip().lower(), ""),
        phone=_phone(claims.get("phone_number")),
        email=_email(claims.get("email")),
        address=_address(claims.get("address")),
        level=_level(claims.get("vneid_level")),
    )


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _phone(value: Any) -> str:
    phone = re.sub(r"[\s.-]", "", str(value or ""))
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    try:
        validate_phone(phone)
    except ValidationError:
        return ""
    return phone[:15]


def _email(value: Any) -> str:
    email = str(value or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email[:254]


def _address(value: Any) -> str:
    # OpenID Connect's standard address claim is an object; VNeID sends a string.
    if isinstance(value, Mapping):
        value = value.get("formatted", "")
    return " ".join(to_nfc(str(value or "")).split())[:255]


def _level(value: Any) -> int | None:
    try:
        level = int(value)
    except (TypeError, ValueError):
        return None
    return level if level > 0 else None
