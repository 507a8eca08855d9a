"""The cases REST API (`/api/cases/`): the same selectors, services and permissions as the
web pages. Token or session authentication (CSRF enforced for sessions); another
service's case is a 404; a refused action is a 400 with the French message and its field,
a stale version a 409."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.models import CENTRE_ROLES, Service
from portal.selectors import has_role_somewhere, prescribing_services_of

from . import permissions, selectors, services, sla
from .filters import OPEN, CaseQueueFilter
from .models import BudgetImputation, Case, CaseKind, Tiers
from .workflow import Action

API_ACTIONS = [a for a in Action.values if a not in (Action.CREATE,)]


class DueDateField(serializers.DateField):
    """The due day the pages show (cases/sla.py), from the stored end-of-day instant."""

    def to_representation(self, value):
        return super().to_representation(sla.due_day(value))


class CaseSerializer(serializers.ModelSerializer):
    requesting_service = serializers.CharField(source="requesting_service.code")
    processing_centre = serializers.CharField(source="processing_centre.code")
    assigned_to = serializers.CharField(source="assigned_to.username", default=None)
    url = serializers.CharField(source="get_absolute_url")
    due_date = DueDateField(source="due_at", read_only=True, allow_null=True, help_text=(
        "Dernier jour ouvré du délai (heure de Paris) : le dossier est en retard après la fin "
        "de ce jour. `due_at` en est le dernier instant."))

    class Meta:
        model = Case
        fields = ["id", "reference", "kind", "state", "subject", "requesting_service",
                  "processing_centre", "amount", "assigned_to", "created_at", "submitted_at",
                  "due_at", "due_date", "completed_at", "version", "url"]


class CaseDetailSerializer(CaseSerializer):
    available_actions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "available_actions"]

    def get_available_actions(self, case) -> list[str]:
        return [str(action) for action in services.case_available_actions(
            case=case, user=self.context["request"].user)]


class LineSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3,
                                        min_value=Decimal("0.001"))
    unit_price_ht = serializers.DecimalField(max_digits=14, decimal_places=2,
                                             min_value=Decimal("0"))
    vat_rate = serializers.DecimalField(max_digits=4, decimal_places=2,
                                        min_value=Decimal("0"), max_value=Decimal("99.99"))


class PurchaseRequestSerializer(serializers.Serializer):
    """The content of a purchase request: imputations by code, the supplier by id."""

    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, default="")
    delivery_address = serializers.CharField(max_length=500, required=False, default="")
    market_reference = serializers.CharField(max_length=100, required=False, default="")
    financial_centre = serializers.CharField(max_length=20)
    cost_centre = serializers.CharField(max_length=20)
    activity = serializers.CharField(max_length=20)
    funds = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    tiers = serializers.IntegerField()
    lines = LineSerializer(many=True, allow_empty=False)


class DraftSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[CaseKind.PURCHASE_REQUEST])
    service = serializers.CharField(max_length=12, help_text="Code du service prescripteur.")
    content = PurchaseRequestSerializer()


class ActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False,
                                       help_text="Version lue ; un écart répond 409.")
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    assignee = serializers.CharField(max_length=150, required=False,
                                     help_text="Identifiant de l'agent (attribution).")
    ej_number = serializers.CharField(max_length=10, required=False)
    asset_number = serializers.CharField(max_length=20, required=False)


class CasesPagination(CursorPagination):
    page_size = 50
    ordering = "-created_at"


def _refusal(exc: services.CaseError) -> Response:
    if isinstance(exc, services.CaseNotFound):
        return Response({"detail": exc.message}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, services.CaseConflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return Response({"detail": exc.message, "field": exc.field},
                    status=status.HTTP_400_BAD_REQUEST)


class CaseApiView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def visible_case(self, pk) -> Case:
        return get_object_or_404(permissions.visible_cases(self.request.user)
                                 .select_related("requesting_service", "processing_centre",
                                                 "assigned_to"), pk=pk)


class CaseListView(CaseApiView):
    @extend_schema(summary="Dossiers visibles, avec les filtres de la corbeille",
                   responses=CaseSerializer(many=True))
    def get(self, request):
        user = request.user
        if has_role_somewhere(user, CENTRE_ROLES):
            base = selectors.case_queue_for_user(user=user)
        else:
            base = selectors.cases_of_requesting_services(user=user)
        data = request.query_params.copy()
        data.pop("cursor", None)
        data.setdefault("state", OPEN)
        case_filter = CaseQueueFilter(data, queryset=base, user=user)
        if not case_filter.is_valid():
            return Response({"errors": {name: [str(e) for e in errors] for name, errors
                                        in case_filter.errors.items()}},
                            status=status.HTTP_400_BAD_REQUEST)
        paginator = CasesPagination()
        page = paginator.paginate_queryset(
            case_filter.qs.order_by().select_related("requesting_service", "processing_centre",
                                                     "assigned_to"), request, view=self)
        return paginator.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(summary="Créer un brouillon de demande d'achat (contenu compris)",
                   request=DraftSerializer, responses={201: CaseDetailSerializer})
    def post(self, request):
        payload = DraftSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service = prescribing_services_of(request.user).filter(
            code=payload.validated_data["service"]).first()
        if service is None:
            return Response({"detail": "Vous n'êtes pas agent de ce service prescripteur.",
                             "field": "service"}, status=status.HTTP_400_BAD_REQUEST)
        content = payload.validated_data["content"]
        try:
            with transaction.atomic():
                case = services.case_draft_create(actor=request.user, service=service,
                                                  kind=CaseKind.PURCHASE_REQUEST)
                services.purchase_request_fill(case=case, actor=request.user,
                                               data=_purchase_data(service, content))
        except services.CaseError as exc:
            return _refusal(exc)
        case.refresh_from_db()
        return Response(CaseDetailSerializer(case, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


def _purchase_data(service: Service, content: dict) -> services.PurchaseRequestData:
    imputations = {}
    for axis in ("financial_centre", "cost_centre", "activity", "funds"):
        code = content.get(axis) or ""
        if not code:
            imputations[axis] = None
            continue
        imputation = BudgetImputation.objects.filter(service=service, axis=axis, code=code,
                                                     active=True).first()
        if imputation is None:
            raise services.CaseError("Cette imputation n'appartient pas au référentiel du "
                                     "service.", field=axis)
        imputations[axis] = imputation
    tiers = Tiers.objects.filter(pk=content["tiers"], active=True).first()
    if tiers is None:
        raise services.CaseError("Ce fournisseur n'existe pas ou n'est plus actif.",
                                 field="tiers")
    return services.PurchaseRequestData(
        subject=content["subject"], description=content["description"],
        delivery_address=content["delivery_address"],
        market_reference=content["market_reference"], tiers=tiers,
        lines=[services.LineData(**line) for line in content["lines"]], **imputations)


class CaseDetailView(CaseApiView):
    @extend_schema(summary="Un dossier", responses=CaseDetailSerializer)
    def get(self, request, pk: int):
        return Response(CaseDetailSerializer(self.visible_case(pk),
                                             context={"request": request}).data)


class CaseActionView(CaseApiView):
    @extend_schema(summary="Une action du circuit (submit, claim, complete, sign…)",
                   request=ActionSerializer,
                   responses={200: CaseDetailSerializer, 400: inline_serializer(
                       "Refusal", {"detail": serializers.CharField(),
                                   "field": serializers.CharField()})})
    def post(self, request, pk: int, action: str):
        case = self.visible_case(pk)
        if action not in API_ACTIONS:
            return Response({"detail": "Action inconnue."}, status=status.HTTP_404_NOT_FOUND)
        payload = ActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        assignee = None
        if values.get("assignee"):
            assignee = get_user_model().objects.filter(username=values["assignee"]).first()
            if assignee is None:
                return Response({"detail": "Cette personne n'est pas agent du centre.",
                                 "field": "assignee"}, status=status.HTTP_400_BAD_REQUEST)
        try:
            case = services.transition(
                case=case, action=action, actor=request.user, comment=values.get("comment", ""),
                assignee=assignee, ej_number=values.get("ej_number"),
                asset_number=values.get("asset_number"),
                expected_version=values.get("version"))
        except services.CaseError as exc:
            return _refusal(exc)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["quote", "price_schedule", "market", "other"],
                                   help_text="Type de pièce.")
    file = serializers.FileField()


class CaseAttachmentView(CaseApiView):
    @extend_schema(summary="Joindre une pièce à un brouillon (devis…)",
                   request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: inline_serializer("AttachmentStored", {
                       "id": serializers.IntegerField(), "name": serializers.CharField(),
                       "sha256": serializers.CharField()})})
    def post(self, request, pk: int):
        from django.core.exceptions import PermissionDenied, ValidationError

        from documents.services import attachment_add

        case = self.visible_case(pk)
        payload = AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            attachment = attachment_add(case=case, kind=payload.validated_data["kind"],
                                        uploaded=payload.validated_data["file"],
                                        actor=request.user)
        except PermissionDenied as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        except ValidationError as exc:
            return Response({"detail": exc.messages[0], "field": "file"},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"id": attachment.pk, "name": attachment.original_name,
                         "sha256": attachment.sha256}, status=status.HTTP_201_CREATED)
