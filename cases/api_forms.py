"""The catalogue's forms in the cases API: those open to the caller's services, and each one's
answers as a JSON Schema (forms_catalog.api.answers_json_schema), from the schema a draft
started now would pin. Another service's form, an unpublished one, is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from forms_catalog.api import answers_json_schema
from forms_catalog.selectors import catalogue_for_user, forms_for_service
from portal.selectors import prescribing_services_of

from . import kinds
from .api import CaseApiView, _errors
from .api_fields import MAX_ID


class CatalogueFormSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant du formulaire (`procedure`).")
    title = serializers.CharField()
    kind = serializers.CharField(help_text="Type de demande (`kind`).")
    kind_label = serializers.CharField()
    services = serializers.ListField(
        child=serializers.CharField(),
        help_text="Les codes de vos services prescripteurs auxquels il est ouvert.")
    schema = serializers.CharField(help_text="Adresse du schéma JSON de ses réponses.")


class CatalogueFormQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=kinds.codes(), required=False,
                                   help_text="Seulement les formulaires de ce type de demande.")
    service = serializers.CharField(max_length=12, required=False,
                                    help_text="Seulement ceux ouverts à ce service (code).")


def _open_forms(user):
    return catalogue_for_user(user)


class CatalogueFormListView(CaseApiView):
    @extend_schema(operation_id="cases_forms_list",
                   summary="Les formulaires du catalogue ouverts à vos services",
                   parameters=[CatalogueFormQuerySerializer],
                   responses={200: CatalogueFormSerializer(many=True),
                              **_errors(400, 401, 403)})
    def get(self, request):
        query = CatalogueFormQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        mine = list(prescribing_services_of(request.user))
        if "service" in query.validated_data:
            mine = [s for s in mine if s.code == query.validated_data["service"]]
        pages = _open_forms(request.user)
        if "kind" in query.validated_data:
            pages = pages.filter(form_kind=query.validated_data["kind"])
        pages = list(pages)
        open_to = {page.pk: [] for page in pages}
        for service in mine:
            for pk in forms_for_service(service).filter(
                    pk__in=list(open_to)).values_list("pk", flat=True):
                open_to[pk].append(service.code)
        return Response(CatalogueFormSerializer([{
            "id": page.pk, "title": page.title, "kind": page.form_kind,
            "kind_label": kinds.label(page.form_kind), "services": sorted(open_to[page.pk]),
            "schema": f"/api/cases/forms/{page.pk}/schema/"} for page in pages
            if open_to[page.pk]], many=True).data)


class CatalogueFormSchemaView(CaseApiView):
    @extend_schema(
        operation_id="cases_forms_schema",
        summary="Le schéma JSON (2020-12) des réponses d'un formulaire",
        description="Les réponses à envoyer dans `content.answers` : un objet dont chaque clé "
                    "est l'identifiant d'un champ, avec son libellé (`title`), son aide "
                    "(`description`), son type, ses bornes, ses choix, et ses conditions "
                    "(`x-condition` en mots, `x-condition-rules`, et `allOf` quand un schéma "
                    "peut les dire exactement). `x-steps` : les étapes de l'assistant.",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT,
                                        description="Un schéma JSON (draft 2020-12)."),
                   **_errors(400, 401, 403, 404)})
    def get(self, request, pk: int):
        page = _open_forms(request.user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
        if page is None:
            raise exceptions.NotFound("Formulaire introuvable.")
        document = answers_json_schema(page.field_schema, title=page.title)
        document["x-form"] = {"id": page.pk, "kind": page.form_kind,
                              "revision": page.live_revision_id}
        return Response(document)
