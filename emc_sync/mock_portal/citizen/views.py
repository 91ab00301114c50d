"""HTTP faces of the VNeID and payment stand-ins; the logic lives in vneid.py and payments.py."""

import base64
import binascii
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import records
from ..rules import STATUS_NAMES
from . import config, payments, vneid
from .identities import DEMO_PASSWORD, IDENTITIES
from .models import PaymentStatus

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


def _url(request: HttpRequest, name: str) -> str:
    # The stand-in is mounted under /mock/ (embedded) or at the root (own process), perhaps namespaced.
    namespace = request.resolver_match.namespace if request.resolver_match else "mock_citizen"
    return request.build_absolute_uri(reverse(f"{namespace}:{name}"))


def _issuer(request: HttpRequest) -> str:
    return config.vneid_issuer() or _url(request, "vneid-discovery").removesuffix(DISCOVERY_SUFFIX)


def _with_query(url: str, values: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in values]
    return urlunsplit(parts._replace(query=urlencode([*query, *values.items()])))


def _oauth_error(error: vneid.OAuthError, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": error.error, "error_description": error.description}, status=error.status)
    for name, value in headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


# --- VNeID -------------------------------------------------------------------------------------


@require_GET
def vneid_discovery(request: HttpRequest) -> JsonResponse:
    issuer = _issuer(request)
    base = _url(request, "vneid-discovery").removesuffix(DISCOVERY_SUFFIX)
    return JsonResponse(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [vneid.SIGNING_ALG],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "phone", "address"],
            "claims_supported": [
                "sub", "name", "birthdate", "gender", "phone_number", "email", "address", "vneid_level",
                "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
            ],
            "ui_locales_supported": ["vi"],
        }
    )  # fmt: skip


@require_GET
def vneid_jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(vneid.jwks())


@never_cache
@require_http_methods(["GET", "POST"])
def vneid_authorize(request: HttpRequest) -> HttpResponse:
    """The login page of an authorization request; on success back to the client with a code."""
    try:
        auth = vneid.authorize_request_parse(request.GET.dict())
    except vneid.OAuthError as error:
        if error.status == 302:
            values = {"error": error.error, "error_description": error.description}
            if request.GET.get("state"):
                values["state"] = request.GET["state"]
            return HttpResponseRedirect(_with_query(request.GET["redirect_uri"], values))
        return render(request, "mock_citizen/vneid_error.html", {"message": error.description}, status=400)

    citizen_id = ""
    error_message = ""
    if request.method == "POST":
        citizen_id = request.POST.get("citizen_id", "").strip()
        identity = vneid.identity_authenticate(citizen_id=citizen_id, password=request.POST.get("password", ""))
        if identity is not None:
            code = vneid.authorization_code_issue(request=auth, identity=identity)
            values = {"code": code.code}
            if auth.state:
                values["state"] = auth.state
            return HttpResponseRedirect(_with_query(auth.redirect_uri, values))
        error_message = "Số định danh cá nhân hoặc mật khẩu không đúng."
    return render(
        request,
        "mock_citizen/vneid_login.html",
        {
            "identities": IDENTITIES,
            "demo_password": DEMO_PASSWORD,
            "citizen_id": citizen_id,
            "error_message": error_message,
            "cancel_url": _with_query(
                auth.redirect_uri,
                {"error": "access_denied", **({"state": auth.state} if auth.state else {})},
            ),
        },
    )


def _client_credentials(request: HttpRequest) -> tuple[str, str, bool]:
    """(client_id, client_secret, whether HTTP Basic was used) per RFC 6749 §2.3.1."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "", "", True
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " ")), True
    return request.POST.get("client_id", ""), request.POST.get("client_secret", ""), False


@csrf_exempt
@require_POST
def vneid_token(request: HttpRequest) -> JsonResponse:
    client_id, client_secret, basic = _client_credentials(request)
    try:
        vneid.client_authenticate(client_id=client_id, client_secret=client_secret)
    except vneid.OAuthError as error:
        return _oauth_error(error, **({"WWW-Authenticate": 'Basic realm="vneid"'} if basic else {}))
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error(vneid.OAuthError("unsupported_grant_type", "Chỉ hỗ trợ authorization_code."))
    try:
        tokens = vneid.authorization_code_redeem(
            client_id=client_id,
            code=request.POST.get("code", ""),
            redirect_uri=request.POST.get("redirect_uri", ""),
            code_verifier=request.POST.get("code_verifier", ""),
            issuer=_issuer(request),
        )
    except vneid.OAuthError as error:
        return _oauth_error(error)
    response = JsonResponse(tokens)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def vneid_userinfo(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    try:
        claims = vneid.userinfo_get(token=token)
    except vneid.OAuthError as error:
        return _oauth_error(error, **{"WWW-Authenticate": f'Bearer error="{error.error}"'})
    return JsonResponse(claims)


# --- payment platform --------------------------------------------------------------------------


def _payment_error(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "mock_citizen/payment_error.html", {"message": message}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def payment_page(request: HttpRequest) -> HttpResponse:
    """GET: the checkout page of a signed request. POST (its buttons): pay or cancel, notify, return."""
    params = (request.POST if request.method == "POST" else request.GET).dict()
    try:
        payment_request = payments.payment_request_parse(params)
        if request.method == "POST":
            payment, decided_now = payments.payment_decide(
                request=payment_request, pay=request.POST.get("action") == "pay"
            )
            if decided_now:
                payments.payment_notify(payment=payment)
            return HttpResponseRedirect(payments.return_url_for(payment))
        payment = payments.payment_open(request=payment_request)
    except payments.PaymentError as error:
        return _payment_error(request, str(error))
    signed = {name: params[name] for name in (*payments.REQUEST_FIELDS, "sig")}
    signed["info"] = params.get("info", "")
    return render(
        request,
        "mock_citizen/payment_page.html",
        {
            "payment": payment,
            "pending": payment.status == PaymentStatus.PENDING,
            "amount": payments.format_dong(payment.amount),
            "signed": signed,
            "return_url": payments.return_url_for(payment),
        },
    )


@require_GET
def payment_query(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(payments.payment_query(request.GET.dict()))
    except payments.PaymentError as error:
        return JsonResponse({"error_code": "1", "message": str(error)}, status=400)


def _shown(stamp: object) -> str:
    """yyyyMMddHHmmss as dd/mm/yyyy HH:MM (what the national portal shows a citizen)."""
    text = str(stamp or "")
    if len(text) != 14 or not text.isdigit():
        return "—"
    return f"{text[6:8]}/{text[4:6]}/{text[:4]} {text[8:10]}:{text[10:12]}"


@never_cache
@require_GET
def dossier_page(request: HttpRequest, ma_ho_so: str) -> HttpResponse:
    """The national portal's page of one dossier, for the citizen: what was filed, where it is
    handed in, and each status the province has reported under this code."""
    page = records.dossier_page(ma_ho_so)
    if page is None:
        raise Http404("Không có hồ sơ với mã này trên Cổng DVCQG.")
    record = page.record
    status = page.statuses[-1] if page.statuses else None
    context = {
        "page": page,
        "record": record,
        "filed_at": _shown(record.get("NgayNopHoSo")),
        "status": status,
        "status_name": STATUS_NAMES.get(status, "") if status else "",
        "progress": [
            {
                "at": _shown(item.get("ThoiDiemXuLy")),
                "status": item.get("TrangThai"),
                "status_name": STATUS_NAMES.get(int(item.get("TrangThai") or 0), ""),
                "content": item.get("NoiDungXuLy", ""),
                "unit": item.get("PhongBanXuLy", ""),
            }
            for item in page.progress
        ],
    }
    return render(request, "mock_citizen/dossier_page.html", context)
