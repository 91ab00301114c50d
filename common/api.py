"""What every API module shares: how a caller signs in, the documented error answers, the schema of
text parameters, and a pagination that refuses bad input.

The OpenAPI schema (drf-spectacular, /api/schema/) is a contract that tests/api/test_schemathesis.py
checks against the running views: every status a view can answer must be documented there, with
the shape it really has.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

# The API is for the portal's own pages and signed-in people's browsers: the session, as every page.
# Not DRF's other default, HTTP Basic: it takes a password with every request, past the sign-in
# form's limits and the officers' second factor, and hashes it every time (~0.6 s of CPU); and a
# NUL byte in its user name reached PostgreSQL, which refuses NUL in text: a 500 (schemathesis).
API_AUTHENTICATION: tuple[type[BaseAuthentication], ...] = (SessionAuthentication,)

# PostgreSQL refuses NUL in text, and DRF's CharField refuses it with a 400: the schema says so,
# so that a client (and schemathesis) knows such a value is invalid, not merely unknown.
NO_NUL = r"^[^\x00]*$"


def text_parameter(max_length: int) -> dict[str, Any]:
    """The schema of a text query parameter: at most `max_length` characters, no NUL."""
    return {"type": "string", "maxLength": max_length, "pattern": NO_NUL}


def path_text(value: str, not_found: str) -> str:
    """A code taken from the path, or a 404 when PostgreSQL could not even compare it (NUL)."""
    if "\x00" in value:
        raise NotFound(not_found)
    return value


class ErrorOutputSerializer(serializers.Serializer):
    """403, 404, 405 from DRF: {"detail": "..."}; a DomainError adds its machine-readable code."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="chỉ có khi quy tắc nghiệp vụ từ chối (DomainError)")


# A 400 is either a DomainError ({"code", "detail"}: two strings) or field errors from an input
# serializer or form ({"field": ["message", ...]}): an object whose values are strings or lists of them.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    },
}

BAD_REQUEST = OpenApiResponse(VALIDATION_ERROR_SCHEMA, description="Tham số không hợp lệ")
FORBIDDEN = OpenApiResponse(ErrorOutputSerializer, description="Chưa đăng nhập hoặc không có quyền")
NOT_FOUND = OpenApiResponse(ErrorOutputSerializer, description="Không tìm thấy")


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit/offset pagination, except that a `limit` or `offset` that is not a whole number
    in range is a 400 naming the parameter, instead of being silently replaced by the default (or,
    for a limit above the maximum, silently cut to it): the schema says the range, the view keeps it."""

    max_limit = 100
    max_offset = 1_000_000_000

    def get_limit(self, request: Request) -> int | None:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        return self._whole_number(self.limit_query_param, raw, minimum=1, maximum=self.max_limit)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        return self._whole_number(self.offset_query_param, raw, minimum=0, maximum=self.max_offset)

    @staticmethod
    def _whole_number(name: str, raw: str, *, minimum: int, maximum: int) -> int:
        # ASCII digits only ("١٢" and "²" are digits to Python, not to anyone typing a page number),
        # and few of them: int() refuses strings past 4,300 digits with a ValueError (a 500).
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
        if number is None or not minimum <= number <= maximum:
            message = _("Phải là số nguyên từ %(minimum)d đến %(maximum)d.") % {"minimum": minimum, "maximum": maximum}
            raise ValidationError({name: [message]})
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": self.max_offset},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
