"""The cases REST API (`/api/cases/`): the same selectors, services and permissions as the
web pages. Token or session authentication (CSRF enforced for sessions); another
service's case is a 404; a refused action or input is a 400 with the French message and its
field (`Refusal`, cases.api_errors), a stale version a 409. A line's and a request's bounds are
the web form's (cases.limits)."""

import decimal
from datetime import UTC
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from conventions.anomalies import DEFAULT_TYPOLOGY
from documents.models import AttachmentKind
from forms_catalog.annotations.api import PrivateAnnotationsField
from portal.models import CENTRE_ROLES
from portal.selectors import has_role_somewhere, prescribing_services_of, user_has_role

from . import api_drafts, kinds, permissions, selectors, services, sla
from .api_errors import RefusalSerializer, refusal
from .api_fields import MAX_ID
from .filters import ALL, OPEN, CaseQueueFilter
from .models import Case, ProcurementRoute
from .workflow import QUEUE_STATES, Action

API_ACTIONS = [a for a in Action.values if a not in (Action.CREATE,)]


ERROR_ANSWERS = {
    400: "Saisie ou action refusée : le motif (`detail`) et le champ en cause (`field`) ; ou "
         "adresse refusée (caractères de contrôle).",
    401: "Jeton absent ou invalide.",
    403: "Refusé : jeton CSRF manquant (session), ou action interdite sur ce dossier.",
    404: "Dossier introuvable, ou que vous n'avez pas le droit de voir.",
    409: "Le dossier a changé depuis la version lue : relisez-le.",
}


def _errors(*codes: int) -> dict:
    """The documented error answers of an operation, all `Refusal`s."""
    return {code: OpenApiResponse(RefusalSerializer, description=ERROR_ANSWERS[code])
            for code in codes}


class StoredAmountField(serializers.DecimalField):
    """An amount as stored, whatever its size: DRF would round it within max_digits digits
    and fail (500) on a value stored before the limits (cases.fields)."""

    def quantize(self, value):
        context = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX,
                                  Emin=decimal.MIN_EMIN)
        return value.quantize(Decimal(1).scaleb(-self.decimal_places), context=context)


class DueDateField(serializers.DateField):
    """The due day the pages show (cases/sla.py), from the stored end-of-day instant."""

    def to_representation(self, value):
        return super().to_representation(sla.due_day(value))


class CaseSerializer(serializers.ModelSerializer):
    requesting_service = serializers.CharField(source="requesting_service.code")
    processing_centre = serializers.CharField(source="processing_centre.code")
    assigned_to = serializers.CharField(source="assigned_to.username", default=None,
                                        allow_null=True, read_only=True,
                                        help_text="Identifiant de l'agent en charge, ou null.")
    amount = StoredAmountField(max_digits=14, decimal_places=2, read_only=True,
                               help_text="Montant TTC (€).")
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    due_date = DueDateField(source="due_at", read_only=True, allow_null=True, help_text=(
        "Dernier jour ouvré du délai (heure de Paris) : le dossier est en retard après la fin "
        "de ce jour. `due_at` en est le dernier instant."))

    class Meta:
        model = Case
        fields = ["id", "reference", "kind", "state", "subject", "requesting_service",
                  "processing_centre", "amount", "assigned_to", "created_at", "submitted_at",
                  "due_at", "due_date", "completed_at", "version", "url"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    available_actions = serializers.SerializerMethodField()
    circuits = serializers.SerializerMethodField(
        help_text="Les circuits de la convention que le dossier a suivis (mission des achats, "
                  "visa du contrôleur budgétaire), tels que son type de demande les décrit.")
    # Only for those who process the case (the centre): absent for the requester.
    annotations = PrivateAnnotationsField()
    agent_group = serializers.SerializerMethodField(
        help_text="Le groupe d'agents du centre vers lequel le dossier est orienté (null : la "
                  "file générale) ; pour les agents du centre seulement (null sinon).")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "available_actions", "circuits", "annotations",
                  "agent_group"]

    def get_agent_group(self, case) -> str | None:
        if case.agent_group_id is None or not user_has_role(
                self.context["request"].user, case.processing_centre, *CENTRE_ROLES):
            return None
        return case.agent_group.name

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_circuits(self, case) -> dict:
        return kinds.circuits(case)

    def get_available_actions(self, case) -> list[str]:
        return [str(action) for action in services.case_available_actions(
            case=case, user=self.context["request"].user)]


class DraftSerializer(serializers.Serializer):
    """A draft the API creates: a kind whose KindSpec offers `api_draft`, the requesting
    service, for a catalogue form the form, and the content (cases.api_drafts)."""

    kind = serializers.ChoiceField(choices=[spec.code for spec in kinds.all_kinds()
                                            if spec.api_draft is not None])
    service = serializers.CharField(max_length=12, help_text="Code du service prescripteur.")
    procedure = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="Le formulaire du catalogue (identifiant de sa page, GET /api/cases/forms/) "
                  "pour une demande générique ; les autres types prennent le formulaire de "
                  "leur type ouvert au service, comme sur le site.")
    content = serializers.DictField(help_text=(
        "Le contenu, tel que le type de demande le décrit, vérifié par les formulaires de "
        "l'assistant du site : ses champs par nom (demande d'achat : subject, "
        "financial_centre… par code, tiers par identifiant, lines ; tiers : operation, "
        "category, name, siret…, iban, bic ; service fait : purchase_request, delivered_on, "
        "lines (quantités) ; immobilisation : asset_kind, label…), et `answers`, les réponses "
        "aux champs du formulaire du catalogue par identifiant de champ (schéma : GET "
        "/api/cases/forms/{id}/schema/). Les pièces se joignent à part (POST "
        "/api/cases/{id}/attachments/)."))


class DraftContentSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID,
                                       help_text="Version lue ; un écart répond 409.")
    content = serializers.DictField(help_text=(
        "Le contenu (voir la création). PUT le remplace en entier ; PATCH ne change que les "
        "champs donnés (null en efface un ; `answers` fusionnées par champ)."))


class ActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID,
                                       help_text="Version lue ; un écart répond 409.")
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    assignee = serializers.CharField(max_length=150, required=False,
                                     help_text="Identifiant de l'agent (attribution).")
    ej_number = serializers.RegexField(
        r"^[0-9]{10}\Z", max_length=10, required=False,
        error_messages={"invalid": "Le numéro d'EJ comporte 10 chiffres."},
        help_text="Numéro d'engagement juridique (10 chiffres), pour clore une demande d'achat.")
    asset_number = serializers.CharField(max_length=20, required=False)
    procurement_route = serializers.ChoiceField(
        choices=ProcurementRoute.choices, required=False,
        error_messages={"invalid_choice": "Voie d'achat inconnue : existing_contract ou "
                                          "new_procedure."},
        help_text="Voie d'achat retenue par la mission des achats (mission_accept).")
    contract_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True,
        help_text="Référence du marché existant (mission_accept).")
    visa_reference = serializers.CharField(max_length=50, required=False,
                                           help_text="Référence du visa du CBCM (visa_grant).")
    visa_date = serializers.DateField(required=False,
                                      help_text="Date du visa du CBCM (visa_grant).")
    anomaly = serializers.CharField(
        max_length=40, required=False, allow_blank=True,
        help_text="Type d'anomalie, obligatoire pour request_info, return, reject et "
                  "cst_return : le code d'un type actif de la typologie de la convention du "
                  "dossier (par défaut : " + ", ".join(k.code for k in DEFAULT_TYPOLOGY)
                  + ").")
    anomaly_text = serializers.CharField(
        max_length=500, required=False, allow_blank=True,
        help_text="Précision de l'anomalie, obligatoire pour un type qui la demande "
                  "(« other » par défaut).")


class CaseListQuerySerializer(serializers.Serializer):
    """The list's query parameters, checked before the queue filter reads them."""

    cursor = serializers.CharField(
        required=False, help_text="Position dans la liste : la valeur donnée par les liens "
                                  "`next` et `previous`, à ne pas construire soi-même.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=200,
                              help_text="Référence, objet ou fournisseur.")
    state = serializers.ChoiceField(
        choices=[OPEN, ALL, *QUEUE_STATES], default=OPEN, required=False,
        help_text="`open` : dossiers en cours ; `all` : tous ; sinon un état.")
    kind = serializers.ChoiceField(choices=kinds.codes(), required=False)
    requesting_service = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="Identifiant d'un service prescripteur servi par le centre de l'agent.")
    assigned_to = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="Identifiant d'un agent du centre.")
    due_from = serializers.DateField(required=False, help_text="Échéance à partir du.")
    due_to = serializers.DateField(required=False, help_text="Échéance jusqu'au.")
    amount_min = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                          min_value=Decimal("0"), help_text="Montant TTC minimum.")
    amount_max = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                          min_value=Decimal("0"), help_text="Montant TTC maximum.")
    mine = serializers.BooleanField(required=False, help_text="Mes dossiers seulement.")
    agent_group = serializers.RegexField(
        r"^(general|[1-9][0-9]{0,11})$", required=False,
        error_messages={"invalid": "Indiquez l'identifiant d'un groupe de votre centre, ou "
                                   "« general » pour la file générale."},
        help_text="Identifiant d'un groupe d'agents du centre, ou `general` : les dossiers "
                  "orientés vers aucun groupe.")
    my_groups = serializers.BooleanField(
        required=False, help_text="Dossiers des groupes d'agents dont je suis membre.")
    overdue = serializers.BooleanField(required=False, help_text="En retard seulement.")
    penalties = serializers.BooleanField(required=False,
                                         help_text="Services faits avec pénalités de retard.")
    mission = serializers.BooleanField(required=False,
                                       help_text="Demandes passées par la mission des achats.")
    to_sign = serializers.BooleanField(required=False,
                                       help_text="Bons de commande à signer.")
    sort = serializers.ChoiceField(choices=["due_at", "-submitted_at", "-amount", "reference"],
                                   required=False, help_text="Tri de la corbeille.")

    def filter_data(self) -> QueryDict:
        """The checked values as the queue's filter reads them (a flag is sent when set)."""
        data = QueryDict(mutable=True)
        for name, value in self.validated_data.items():
            if name == "cursor" or value is None or value is False:
                continue
            data[name] = ("true" if value is True
                          else value.isoformat() if hasattr(value, "isoformat") else str(value))
        return data


class CasesPagination(CursorPagination):
    page_size = 50
    ordering = "-created_at"
    invalid_cursor_message = ("Ce curseur de pagination n'est pas valide : suivez les liens "
                              "`next` et `previous` de la liste.")

    def decode_cursor(self, request):
        """The position read from the cursor, refused (400, not a 500 in the query) unless it
        is one this list wrote: an instant of creation."""
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            cursor, valid = None, False
        else:
            valid = cursor is None or cursor.position is None or _is_instant(cursor.position)
        if not valid:
            raise serializers.ValidationError({self.cursor_query_param: [
                self.invalid_cursor_message]})
        return cursor


def _is_instant(text: str) -> bool:
    try:
        instant = parse_datetime(text)
        if instant is None or instant.tzinfo is None:
            return False
        instant.astimezone(UTC)  # an offset near the ends of the calendar overflows
    except (ValueError, OverflowError):
        return False
    return True


def _refusal(exc: services.CaseError) -> Response:
    if isinstance(exc, services.CaseNotFound):
        return refusal(exc.message, status_code=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, services.CaseConflict):
        return refusal(exc.message, status_code=status.HTTP_409_CONFLICT)
    return refusal(exc.message, field=exc.field)


class CaseApiView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def visible_case(self, pk: int) -> Case:
        case = None
        if 0 < pk <= MAX_ID:
            case = (permissions.visible_cases(self.request.user)
                    .select_related("requesting_service", "processing_centre", "assigned_to",
                                    "agent_group")
                    .filter(pk=pk).first())
        if case is None:
            raise exceptions.NotFound("Dossier introuvable.")
        return case


class CaseListView(CaseApiView):
    parser_classes = [JSONParser]
    # Read by the schema: the list is documented as a page {next, previous, results}.
    pagination_class = CasesPagination

    @extend_schema(operation_id="cases_list",
                   summary="Dossiers visibles, avec les filtres de la corbeille",
                   parameters=[CaseListQuerySerializer], responses={
                       200: CaseSerializer(many=True), **_errors(400, 401, 403)})
    def get(self, request):
        user = request.user
        if has_role_somewhere(user, CENTRE_ROLES):
            base = selectors.case_queue_for_user(user=user)
        else:
            base = selectors.cases_of_requesting_services(user=user)
        # A plain dict, not the QueryDict: DRF would read an empty value ("kind=") as an
        # absent one, where the schema says it is not a kind.
        query = CaseListQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        data = query.filter_data()
        data.setdefault("state", OPEN)
        case_filter = CaseQueueFilter(data, queryset=base, user=user)
        if not case_filter.is_valid():
            raise serializers.ValidationError(
                {name: [str(e) for e in errors] for name, errors in case_filter.errors.items()})
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            case_filter.qs.order_by().select_related("requesting_service", "processing_centre",
                                                     "assigned_to"), request, view=self)
        return paginator.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(operation_id="cases_create",
                   summary="Créer un brouillon de demande, contenu compris",
                   request=DraftSerializer,
                   responses={201: CaseDetailSerializer, **_errors(400, 401, 403)})
    def post(self, request):
        payload = DraftSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        service = prescribing_services_of(request.user).filter(code=values["service"]).first()
        if service is None:
            return refusal("Vous n'êtes pas agent de ce service prescripteur.", field="service")
        adapter = kinds.get(values["kind"]).api_draft.adapter()
        procedure = values.get("procedure")
        if adapter.takes_procedure and procedure is None:
            return refusal("Indiquez le formulaire du catalogue (GET /api/cases/forms/).",
                           field="procedure")
        if not adapter.takes_procedure and procedure is not None:
            return refusal("Ce type de demande a son propre formulaire : n'indiquez pas de "
                           "formulaire du catalogue.", field="procedure")
        try:
            wizard = api_drafts.wizard_for(adapter, actor=request.user, service=service,
                                           procedure=procedure)
            case = api_drafts.draft_write(adapter, wizard, content=values["content"],
                                          actor=request.user, replace=True)
        except api_drafts.DraftNotFound:
            return refusal("Ce formulaire n'existe pas ou n'est pas ouvert à ce service.",
                           field="procedure" if adapter.takes_procedure else "service")
        except services.CaseError as exc:
            return _refusal(exc)
        return Response(CaseDetailSerializer(case, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class CaseDetailView(CaseApiView):
    @extend_schema(operation_id="cases_retrieve", summary="Un dossier",
                   responses={200: CaseDetailSerializer, **_errors(400, 401, 404)})
    def get(self, request, pk: int):
        return Response(CaseDetailSerializer(self.visible_case(pk),
                                             context={"request": request}).data)


class CaseContentView(CaseApiView):
    parser_classes = [JSONParser]

    def _write(self, request, pk: int, *, replace: bool):
        case = self.visible_case(pk)
        payload = DraftContentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        spec = kinds.get(case.kind)
        if spec.api_draft is None:
            return refusal("Ce type de demande ne se remplit pas par l'API.")
        adapter = spec.api_draft.adapter()
        try:
            wizard = api_drafts.wizard_for(adapter, actor=request.user, case=case)
            case = api_drafts.draft_write(
                adapter, wizard, content=payload.validated_data["content"], actor=request.user,
                replace=replace, expected_version=payload.validated_data.get("version"))
        except api_drafts.DraftNotFound:
            # Visible, but not a draft of the caller's (a colleague's, or the centre's view).
            return refusal("Seul l'auteur d'un brouillon peut le modifier.",
                           status_code=status.HTTP_403_FORBIDDEN)
        except services.CaseError as exc:
            return _refusal(exc)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)

    @extend_schema(operation_id="cases_content_replace",
                   summary="Remplacer le contenu d'un brouillon",
                   request=DraftContentSerializer,
                   responses={200: CaseDetailSerializer, **_errors(400, 401, 403, 404, 409)})
    def put(self, request, pk: int):
        return self._write(request, pk, replace=True)

    @extend_schema(operation_id="cases_content_update",
                   summary="Compléter ou corriger le contenu d'un brouillon",
                   request=DraftContentSerializer,
                   responses={200: CaseDetailSerializer, **_errors(400, 401, 403, 404, 409)})
    def patch(self, request, pk: int):
        return self._write(request, pk, replace=False)


class CaseActionView(CaseApiView):
    @extend_schema(operation_id="cases_action",
                   summary="Une action du circuit (submit, claim, complete, sign…)",
                   request=ActionSerializer,
                   parameters=[OpenApiParameter("action", OpenApiTypes.STR,
                                                OpenApiParameter.PATH, enum=API_ACTIONS)],
                   responses={200: CaseDetailSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, pk: int, action: str):
        case = self.visible_case(pk)
        if action not in API_ACTIONS:
            return refusal("Action inconnue.", status_code=status.HTTP_404_NOT_FOUND)
        payload = ActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        assignee = None
        if values.get("assignee"):
            assignee = get_user_model().objects.filter(username=values["assignee"]).first()
            if assignee is None:
                return refusal("Cette personne n'est pas agent du centre.", field="assignee")
        spec = kinds.get(case.kind)
        if (action == Action.SUBMIT and spec.api_draft is not None
                and api_drafts.submits_by_wizard(case, request.user)):
            return self._submit_by_wizard(request, case, spec, values.get("version"))
        try:
            inputs = {name: value for name, value in values.items() if name != "version"}
            case = services.transition(
                case=case, action=action, actor=request.user,
                inputs={**inputs, "assignee": assignee},
                expected_version=values.get("version"))
        except services.CaseError as exc:
            return _refusal(exc)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


    def _submit_by_wizard(self, request, case, spec, version):
        """Submitted as its wizard's last step does (cases.api_drafts.draft_submit)."""
        adapter = spec.api_draft.adapter()
        try:
            wizard = api_drafts.wizard_for(adapter, actor=request.user, case=case)
            case = api_drafts.draft_submit(adapter, wizard, actor=request.user,
                                           expected_version=version)
        except api_drafts.DraftNotFound:
            return refusal("Seul l'auteur d'un brouillon peut le déposer.",
                           status_code=status.HTTP_403_FORBIDDEN)
        except services.CaseError as exc:
            return _refusal(exc)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=AttachmentKind.values,
        help_text="Type de pièce : quote, price_schedule, market (demande d'achat), rib "
                  "(tiers), delivery_proof (service fait), acquisition ou commissioning "
                  "(immobilisation), other (dont les fichiers d'un formulaire du catalogue, "
                  "désignés ensuite par l'identifiant de la pièce).")
    file = serializers.FileField(help_text="Le fichier (PDF, image, bureautique…).")


class CaseAttachmentView(CaseApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="cases_attachments_create",
                   summary="Joindre une pièce à un brouillon (devis…)",
                   request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: inline_serializer("AttachmentStored", {
                       "id": serializers.IntegerField(), "name": serializers.CharField(),
                       "sha256": serializers.CharField()}), **_errors(400, 401, 403, 404)})
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
            return refusal(str(exc), status_code=status.HTTP_403_FORBIDDEN)
        except ValidationError as exc:
            return refusal(exc.messages[0], field="file")
        return Response({"id": attachment.pk, "name": attachment.original_name,
                         "sha256": attachment.sha256}, status=status.HTTP_201_CREATED)
