"""Indicator figures for leaders and province admins: the same numbers as the dashboard."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.constants import Role
from accounts.models import User
from common.api import API_AUTHENTICATION, BAD_REQUEST, FORBIDDEN, text_parameter
from common.replica import reading_from_replica

from .forms import Filters, IndicatorFilterForm
from .selectors import Scorecard, agency_ranking, rules_in_force, scorecard

# The dashboard's filter form sends an empty value for "all", and the API takes the same form.
ID_OR_EMPTY = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": [""]}]}

# The form's own limits, in the schema: a value outside them is a documented 400. An id or code
# that matches nothing (or an agency outside the caller's scope) is a 400 as well, naming the field.
FILTER_PARAMETERS = [
    OpenApiParameter(
        "ky",
        {"type": "string", "pattern": r"^([1-9]\d{3}(-(0[1-9]|1[0-2]))?)?$"},
        description="tháng (2026-10) hoặc năm (2026); mặc định tháng hiện tại",
    ),
    OpenApiParameter("co_quan", ID_OR_EMPTY, description="mã số cơ quan (gồm đơn vị trực thuộc); rỗng: tất cả"),
    OpenApiParameter("linh_vuc", ID_OR_EMPTY, description="mã số lĩnh vực; rỗng: tất cả"),
    OpenApiParameter("thu_tuc", text_parameter(20), description="mã thủ tục, ví dụ 1.001193"),
]


class IndicatorOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    group_code = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=5, decimal_places=2)
    formula_kind = serializers.CharField()
    threshold_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, help_text="phần trăm")
    points = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="null: không đủ dữ liệu"
    )
    display = serializers.CharField()


class GroupOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=5, decimal_places=2)
    points = serializers.DecimalField(max_digits=5, decimal_places=2)
    scored_max = serializers.DecimalField(max_digits=5, decimal_places=2)


class ScorecardOutputSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.key")
    total_points = serializers.DecimalField(max_digits=6, decimal_places=2)
    total_max = serializers.DecimalField(max_digits=6, decimal_places=2)
    scored_max = serializers.DecimalField(max_digits=6, decimal_places=2)
    groups = GroupOutputSerializer(many=True)
    indicators = IndicatorOutputSerializer(many=True)


class AgencyRankOutputSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    total_points = serializers.DecimalField(source="card.total_points", max_digits=6, decimal_places=2)
    online_rate = serializers.DecimalField(source="card.rate_online", max_digits=6, decimal_places=2, allow_null=True)
    on_time_rate = serializers.DecimalField(source="card.rate_on_time", max_digits=6, decimal_places=2, allow_null=True)
    online_payment_rate = serializers.DecimalField(
        source="card.rate_paid_online", max_digits=6, decimal_places=2, allow_null=True
    )
    behind = serializers.ListField(child=serializers.CharField(), help_text="chỉ tiêu năm chưa đạt")


def _filters(request: Request) -> Filters:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - IsAuthenticated ran first
    if not (user.role in (Role.LEADER, Role.PROVINCE_ADMIN) or user.is_superuser):
        raise PermissionDenied("Chỉ lãnh đạo và quản trị cấp tỉnh được xem chỉ số.")
    form = IndicatorFilterForm(request.query_params, user=user)
    if not form.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
    return form.filters()


def scorecard_data(card: Scorecard) -> dict[str, Any]:
    return ScorecardOutputSerializer(card).data  # type: ignore[return-value]


class IndicatorScorecardApi(APIView):
    """Total, groups and every indicator for a period and scope."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={200: ScorecardOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        with reading_from_replica(request):
            return Response(scorecard_data(scorecard(period=filters.period, scope=filters.scope)))


class IndicatorAgencyRankingApi(APIView):
    """Agencies in scope, best score first, with their rates and the yearly targets not reached."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={200: AgencyRankOutputSerializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        with reading_from_replica(request):
            rules = rules_in_force(on=filters.period.first_day)
            rows = agency_ranking(period=filters.period, scope=filters.scope, rules=rules)
            return Response(AgencyRankOutputSerializer(rows, many=True).data)
