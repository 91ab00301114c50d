"""Dossier API for signed-in users: officers see their agencies' dossiers, citizens their own."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from common.api import API_AUTHENTICATION, BAD_REQUEST, FORBIDDEN, NOT_FOUND, path_text, text_parameter
from procedures.models import Agency, Procedure

from .constants import AccessKind
from .exceptions import DossierNotFound
from .models import Dossier, DossierEvent
from .selectors import QueueTab, dossier_get_for_user, dossier_list_for_user, dossier_queue, dossier_timeline
from .trail import dossier_access_record


class EventOutputSerializer(serializers.ModelSerializer):
    actor: "serializers.StringRelatedField[User]" = serializers.StringRelatedField()

    class Meta:
        model = DossierEvent
        fields = ("sequence", "action", "actor", "at", "from_status", "to_status", "from_step", "to_step", "comment")


class DossierOutputSerializer(serializers.ModelSerializer):
    procedure: "serializers.SlugRelatedField[Procedure]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    agency: "serializers.SlugRelatedField[Agency]" = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Dossier
        fields: tuple[str, ...] = (
            "code", "procedure", "agency", "channel", "status", "step_key", "applicant_name", "submitted_at",
            "received_at", "due_at", "finished_at", "returned_at",
        )  # fmt: skip


class DossierDetailOutputSerializer(DossierOutputSerializer):
    events = serializers.SerializerMethodField()

    class Meta(DossierOutputSerializer.Meta):
        fields = (*DossierOutputSerializer.Meta.fields, "result_delivery", "result_address", "events")

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_events(self, dossier: Dossier) -> list[dict[str, object]]:
        return EventOutputSerializer(dossier_timeline(dossier=dossier), many=True).data  # type: ignore[return-value]


class DossierPageOutputSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="con trỏ trang tiếp theo (tham số `after`); null: hết")
    results = DossierOutputSerializer(many=True)


class DossierListInputSerializer(serializers.Serializer):
    # An unknown tab used to fall back to "all" silently; a client that misspells it should know.
    tab = serializers.ChoiceField(choices=[t.value for t in QueueTab], required=False, allow_blank=True)
    after = serializers.CharField(required=False, allow_blank=True, max_length=64)


class DossierListApi(APIView):
    """Officers: one page of a queue (keyset cursor in `next`); citizens: their own dossiers."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "tab", OpenApiTypes.STR, enum=["", *(t.value for t in QueueTab)], description="rỗng: tất cả"
            ),
            OpenApiParameter("after", text_parameter(64), description="con trỏ trang tiếp theo (`next`)"),
        ],
        responses={200: DossierPageOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
        # A page object, not a list: without this the generator names it "retrieve", as the detail.
        operation_id="v1_dossiers_list",
    )
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)  # noqa: S101 - IsAuthenticated ran first
        params = DossierListInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        if not user.is_officer:
            rows = list(dossier_list_for_user(user=user).order_by("-submitted_at")[:100])
            return Response({"next": None, "results": DossierOutputSerializer(rows, many=True).data})
        tab = QueueTab(params.validated_data.get("tab") or QueueTab.ALL)
        page = dossier_queue(user=user, tab=tab, after=params.validated_data.get("after") or None)
        return Response({"next": page.next_cursor, "results": DossierOutputSerializer(page.items, many=True).data})


class DossierDetailApi(APIView):
    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DossierDetailOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, code: str) -> Response:
        user = request.user
        assert isinstance(user, User)  # noqa: S101 - IsAuthenticated ran first
        try:
            dossier = dossier_get_for_user(user=user, code=path_text(code, "Không tìm thấy hồ sơ."))
        except DossierNotFound:
            raise NotFound("Không tìm thấy hồ sơ.") from None
        dossier_access_record(user=user, dossier=dossier, kind=AccessKind.API)
        return Response(DossierDetailOutputSerializer(dossier).data)
