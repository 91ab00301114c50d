"""Read-only public API: procedures (search and filters), sectors, agencies."""

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import (
    API_AUTHENTICATION,
    BAD_REQUEST,
    NOT_FOUND,
    StrictLimitOffsetPagination,
    path_text,
    text_parameter,
)

from .constants import OnlineLevel
from .models import Agency, Procedure, Sector
from .selectors import ProcedureFilters, procedure_get_public, procedure_list, procedure_search

# The lengths the view enforces are in the schema too, so a client knows beforehand that a
# longer value is refused with a 400.
SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        text_parameter(settings.SEARCH_MAX_LENGTH),
        description="Từ khóa, có dấu hoặc không dấu, hoặc mã thủ tục (tối đa 200 ký tự)",
    ),
    OpenApiParameter("sector", text_parameter(30), description="Mã lĩnh vực"),
    OpenApiParameter("agency", text_parameter(20), description="Mã định danh cơ quan thực hiện (QCVN 102)"),
    OpenApiParameter(
        "level",
        OpenApiTypes.STR,
        enum=["", *OnlineLevel.values],
        description="Mức độ dịch vụ trực tuyến; rỗng: mọi mức",
    ),
]


class SectorOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ("code", "name")


class AgencyOutputSerializer(serializers.ModelSerializer):
    # DRF moves declared fields off the class, so this does not shadow Field.parent at run time.
    # A top-level agency has no parent: null, and the schema must say so.
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[assignment,var-annotated]

    class Meta:
        model = Agency
        fields = ("code", "name", "level", "parent")


class ProcedureListOutputSerializer(serializers.ModelSerializer):
    sector = SectorOutputSerializer()

    class Meta:
        model = Procedure
        fields = ("code", "name", "sector", "online_level", "time_limit_value", "time_limit_unit", "same_day_rule")


class FeeOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.IntegerField()
    unit = serializers.CharField()
    online_discount_percent = serializers.IntegerField()
    online_amount = serializers.IntegerField()
    note = serializers.CharField()
    optional = serializers.BooleanField()


class ComponentOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    original_copies = serializers.IntegerField()
    copies = serializers.IntegerField()
    template_name = serializers.CharField()
    reusable = serializers.BooleanField()


class ProcedureDetailOutputSerializer(serializers.ModelSerializer):
    sector = SectorOutputSerializer()
    implementing_agencies = AgencyOutputSerializer(many=True)
    fees = FeeOutputSerializer(many=True)
    components = ComponentOutputSerializer(many=True)

    class Meta:
        model = Procedure
        fields = (
            "code", "name", "sector", "online_level", "partial_reason", "channels", "time_limit_value",
            "time_limit_unit", "online_time_limit_value", "same_day_rule", "time_limit_note", "applicant_types",
            "implementing_agencies", "result_document", "legal_basis", "conditions", "steps", "fees", "components",
        )  # fmt: skip


class SearchInputSerializer(serializers.Serializer):
    # Length is checked by procedure_search itself (one rule, one Vietnamese message).
    q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    sector = serializers.CharField(required=False, allow_blank=True, max_length=30)
    agency = serializers.CharField(required=False, allow_blank=True, max_length=20)
    level = serializers.ChoiceField(required=False, allow_blank=True, choices=OnlineLevel.choices)


class ProcedureListApi(generics.GenericAPIView):
    """Published procedures; with `q`, the best matches first (at most 100)."""

    serializer_class = ProcedureListOutputSerializer
    pagination_class = StrictLimitOffsetPagination
    authentication_classes = API_AUTHENTICATION

    @extend_schema(
        parameters=SEARCH_PARAMETERS,
        responses={200: ProcedureListOutputSerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        params = SearchInputSerializer(data=request.query_params)
        if not params.is_valid():
            raise ValidationError(params.errors)
        data = params.validated_data
        filters = ProcedureFilters(
            sector=data.get("sector", ""), agency=data.get("agency", ""), online_level=data.get("level", "")
        )
        items: Any
        if data.get("q"):
            items = procedure_search(query=data["q"], filters=filters)
        else:
            items = procedure_list(filters=filters).order_by("code")
        page = self.paginate_queryset(items)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProcedureDetailApi(APIView):
    authentication_classes = API_AUTHENTICATION

    @extend_schema(responses={200: ProcedureDetailOutputSerializer, 404: NOT_FOUND})
    def get(self, request: Request, code: str) -> Response:
        missing = f"Không tìm thấy thủ tục hành chính có mã {code}."
        try:
            procedure = procedure_get_public(code=path_text(code, missing))
        except Procedure.DoesNotExist:
            raise NotFound(missing) from None
        return Response(ProcedureDetailOutputSerializer(procedure).data)


@extend_schema_view(get=extend_schema(responses={200: SectorOutputSerializer(many=True), 400: BAD_REQUEST}))
class SectorListApi(generics.ListAPIView):
    serializer_class = SectorOutputSerializer
    pagination_class = StrictLimitOffsetPagination
    authentication_classes = API_AUTHENTICATION
    queryset = Sector.objects.order_by("code")


@extend_schema_view(get=extend_schema(responses={200: AgencyOutputSerializer(many=True), 400: BAD_REQUEST}))
class AgencyListApi(generics.ListAPIView):
    serializer_class = AgencyOutputSerializer
    pagination_class = StrictLimitOffsetPagination
    authentication_classes = API_AUTHENTICATION
    queryset = Agency.objects.filter(is_active=True).select_related("parent").order_by("code")
