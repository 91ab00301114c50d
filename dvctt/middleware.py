"""Vietnamese unless the visitor chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many Vietnamese
citizens browse with an English-language phone: the portal speaks Vietnamese to them and
switches language only when they press the switch (which sets the language cookie).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class RejectNulMiddleware:
    """A NUL character in the address or its query is never a real request (PostgreSQL refuses
    it in text, so it reached the database as a 500): answered 400 before any view runs. The API
    (/api/) answers for itself, in JSON and as its schema says (tests/api/test_contract.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        query = request.GET.lists()
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values) for key, values in query):
            return render(request, "400.html", status=400)
        return self.get_response(request)


# What the portal's pages never use; a page that needs one of them would be a surprise.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class ResponseHeadersMiddleware:
    """Headers every answer carries, static files included (it sits outside WhiteNoise):
    Permissions-Policy, and X-Frame-Options where nothing inside set it (WhiteNoise answers before
    Django's clickjacking middleware runs). An answer to a signed-in person holds their data:
    `private, no-store`, so neither a shared cache nor the back button on a shared computer keeps
    it, unless the view chose its own Cache-Control."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            patch_cache_control(response, private=True, no_store=True)
        return response


class RejectLongAddressMiddleware:
    """An address longer than settings.MAX_ADDRESS_LENGTH is refused with 414 before any view runs:
    in JSON on the API (like its other errors), with the portal's page elsewhere. The limit sits
    under gunicorn's own (limit_request_line, 4094 bytes), so the portal answers, not the server."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = request.get_full_path()
        if len(address.encode()) <= settings.MAX_ADDRESS_LENGTH:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": gettext("Địa chỉ yêu cầu quá dài.")}, status=414)
        return render(request, "414.html", status=414)
