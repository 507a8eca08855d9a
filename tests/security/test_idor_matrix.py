"""IDOR matrix: every object-scoped URL x every role x GET/POST, generated from the URL
configuration (and checked against the cases API's OpenAPI schema), not hand-listed.

1. Discovery. `discovered_routes()` walks `get_resolver()` recursively and keeps every route
   one of whose keyword arguments names an object (`pk`, `id`, `object_id`, `*_pk`, `*_id`).
   `classify()` says what each one is:
   - the portal's own URLs, by URL name (TARGETS): the model the kwarg refers to, read in the
     view — Case for `dossiers/<pk>/...`, `demandes/<pk>/...` and `api/cases/<pk>/...`,
     Attachment for `pieces/<pk>/`, IssuedDocument for `documents/<pk>/`, SigningBatch for
     `signatures/<pk>/...`, ExportJob for `exports/<pk>/...`, ExportTemplate for
     `exports/modeles/<pk>/supprimer/`, SavedFilter for `corbeille/filtres/<pk>/supprimer/`,
     AgentGroup for `centre/groupes/<pk>/...`,
     PurchaseRequest for `fin-de-gestion/<pk>/`, Tiers for `tiers/<pk>/`, ProcedureFormPage
     for `catalogue/<page_id>/nouvelle/`;
   - the Django admin, by the model in the route: the case-scoped models
     (ADMIN_CASE_SCOPED: case events, issued documents, tiers requests, directory changes)
     and the generic `r/<content_type_id>/<object_id>/` join the matrix; the others
     (referentials, directory, users, tasks...) are listed in ADMIN_BACK_OFFICE;
   - the Wagtail CMS (`cms/`, `api/v2/`, `pages/_util/`), by namespace (CMS_BACK_OFFICE:
     editorial pages, images, documents, workflows...), except the editing-session ping
     whose `<app_label>/<model_name>/<object_id>` reaches any model: it joins the matrix,
     aimed at a case.
   `test_every_object_scoped_url_is_classified` fails when a route appears that no rule
   knows, or when a rule names a route that is gone: the matrix stays complete.
   `test_every_api_path_with_an_id_is_in_the_matrix` does the same from `/api/schema/`.

2. The world, built once for the module (in one transaction rolled back at its end; each
   test runs in a savepoint of it): people and purchase requests come from the bodies of
   tests/fixtures.py's fixtures (`sp`, `csp`, `sp_agent`... `make_purchase_request`,
   `give_credential`), called directly because those fixtures are function-scoped; the rest
   goes through the services. The owning side (DRAC, served by CSPEST) has purchase requests
   in every state, a signed order form, a message with a file, tiers requests (draft, in
   progress, awaiting the CST, validated into the directory), a service-done statement
   (draft, in progress), fixed-asset and catalogue drafts, a signing batch with a failed
   item, a finished export job and a saved filter (csp_agent's). The foreign side (DREAL,
   served by CSPOUEST) has a draft and a submitted request of its own.

3. Roles: OWNERS (sp_agent, ordonnateur, csp_agent, csp_head, cst), FOREIGN (the same five
   roles in the other service and centre, the other centre's purchasing mission and budget
   controller, an editor of the CMS, a user with no membership)
   and the anonymous visitor. For each (target, role, method), every variant of the target
   (the objects it is tried on: each case for the case page, each action for the action
   URLs...) is requested; POSTs carry what a legitimate user would send (current version,
   comment, EJ number, file...), so that a missing check would let the action through.
   - FOREIGN roles get 404 — or 405 where the view refuses the method to everybody; the
     Django admin sends every non-staff user to its login page; the CMS sends whoever lacks
     access to its login page, and answers 404 to the editor. The tiers directory is shared
     by every service (kinds.tiers.views.tiers_detail): members of a foreign service see the
     record (200) but no link to the owning service's case (its history names the case by
     its reference, unlinked, by design of the template). Whatever the answer, the
     request wrote nothing to the database (no row inserted, updated or deleted, in any
     table: SQLite's total_changes(), PostgreSQL's pg_stat_xact_user_tables), the
     watched objects re-read after it are unchanged (`digest()`: the object field by field,
     and for a case its state, version, assignee, events, attachments, messages and issued
     documents), and the case's reference is not in the response.
   - The anonymous visitor is sent to the login page (web, admin, CMS) or refused with
     401/403 (API), and nothing changed either.
   - OWNERS get whatever the view gives, but never a server error, and the roles of
     `Variant.reachers` never a 404: a 404 of the foreign roles means something only if the
     object exists and is reachable.

4. `test_case_ids_in_a_form_body`: the two URLs that take case ids in their form (bulk
   assignment, batch signing) are not object-scoped by their path; they are listed by hand,
   and the foreign roles' POSTs must change nothing and name none of the cases.

5. `test_matrix_size` checks and prints the size: targets x roles x methods.
"""

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.api import API_ACTIONS
from cases.export_services import export_job_create, export_job_run, export_template_save
from cases.kinds import transitions_for
from cases.models import (
    Case,
    CaseEvent,
    CaseKind,
    ExportJob,
    ExportTemplate,
    PurchaseRequest,
    SavedFilter,
    Tiers,
)
from cases.queue_services import saved_filter_save
from cases.services import case_draft_create, catalogue_draft_create, transition
from cases.views import NOT_ON_CASE_PAGE
from cases.workflow import Action, State
from conventions.services import editorial_setup
from documents.models import (
    Attachment,
    AttachmentKind,
    IssuedDocument,
    SigningBatch,
    SigningBatchItem,
)
from documents.services import attachment_add, order_form_sign, signing_batch_create
from forms_catalog.models import ProcedureFormPage
from invoices.importer import import_stream
from invoices.models import Invoice, InvoiceImport
from invoices.tests.conftest import extract, row
from kinds.service_done.models import YearEndDecision, YearEndReview
from kinds.service_done.services import StatementData, statement_fill
from kinds.tiers.models import TiersChange, TiersRequest
from kinds.tiers.services import tiers_request_fill
from messaging.services import message_post
from opinions.models import ExpertOpinion, OpinionFile
from opinions.services import default_deadline, opinion_answer, opinion_ask
from portal.models import AgentGroup, Role, Service
from portal.services import agent_group_get_or_create, service_get_or_create
from tests import fixtures as conftest
from tests.factories import UserFactory, member, valid_iban, valid_siret
from tests.fixtures import TINY_PDF, tiny_pdf

pytestmark = pytest.mark.django_db

OWNERS = ("sp_agent", "ordonnateur", "csp_agent", "csp_head", "cst")
FOREIGN_MEMBERS = ("foreign_sp_agent", "foreign_ordonnateur", "foreign_csp_agent",
                   "foreign_csp_head", "foreign_cst", "foreign_mda", "foreign_cbcm")
FOREIGN = (*FOREIGN_MEMBERS, "editor", "nobody")
ANONYMOUS = "anonymous"
ROLES = (*OWNERS, *FOREIGN, ANONYMOUS)
METHODS = ("GET", "POST")
# Above sp_agent's 5 000 € delegation: the requests go through the ordonnateur.
AMOUNT = "8000.00"
UNKNOWN_ACTION = "inconnue"

# --- 1. discovery -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # the full route, e.g. "dossiers/<int:pk>/"
    name: str  # "cases:detail" ("" when unnamed)
    kwargs: tuple[str, ...]


def _names_an_object(kwarg: str) -> bool:
    return kwarg in ("pk", "id", "object_id") or kwarg.endswith(("_pk", "_id"))


def _kwargs_of(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.regex.groupindex)  # a RegexPattern


def _walk(resolver, prefix="", namespaces=(), kwargs=()):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        names = (*kwargs, *_kwargs_of(entry.pattern))
        if isinstance(entry, URLResolver):
            spaces = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, route, spaces, names)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield Route(route, name, names)


def discovered_routes() -> list[Route]:
    """Every route of the site whose keyword arguments name an object."""
    return [r for r in _walk(get_resolver()) if any(_names_an_object(k) for k in r.kwargs)]


def url_for(route: str, kwargs: dict) -> str:
    """The path of `route` (a `path()` route, possibly nested) with these kwargs."""
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    assert "<" not in path and "^" not in path, route
    return path


# --- 2. what each object-scoped URL is --------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One object a target is tried on."""

    label: str
    kwargs: dict
    # Owning roles that must reach it (anything but 404) with the methods the view takes.
    reachers: frozenset = frozenset()
    # POST payload, built at request time (the current version...): (world) -> dict.
    data: Callable | None = None
    api_format: str = "json"
    # Must never appear in an answer to someone of another service (references...).
    secrets: tuple[str, ...] = ()
    # Objects re-read before and after an outsider's request: (model, pk) pairs.
    watch: tuple = ()
    # A link that must not appear in the shared directory page of a foreign member.
    hidden_link: str = ""


@dataclass(frozen=True)
class Target:
    model: str  # what the object kwarg refers to, read in the view
    channel: str  # "web", "api", "admin" or "cms"
    methods: tuple[str, ...]  # the methods the view takes; the others are a 405 for everybody
    variants: Callable  # (world) -> list[Variant]
    view: str  # where the check lives, for the reports
    shared: bool = False  # the tiers directory: members of any service see the record
    write: str = "POST"  # what the matrix's POST sends (an API draft's content: PATCH)


@dataclass
class World:
    users: dict
    cases: dict  # the owning side's cases, by name
    foreign: dict  # the other service's own cases
    audience: dict  # case name -> the owning roles that see it
    attachments: dict
    objects: dict
    root: Path
    tokens: dict = field(default_factory=dict)
    opinion_cases: dict = field(default_factory=dict)  # opinion key -> its case's name

    def case(self, name) -> Case:
        return Case.objects.get(pk=(self.cases.get(name) or self.foreign[name]).pk)

    def secrets(self, name) -> tuple[str, ...]:
        reference = self.cases[name].reference
        return (reference,) if reference else ()

    def watch(self, name) -> tuple:
        return ((Case, self.cases[name].pk),)


_ej_numbers = itertools.count(4_800_000_001)


def _action_data(case_name, *, api: bool):
    """What the right person sends to act: the version read, a comment, an EJ number, an
    asset number and an assignee (its pk in the web form, its username in the API)."""
    def data(w):
        return {"version": w.case(case_name).version, "comment": "Motif de la tentative",
                "ej_number": str(next(_ej_numbers)), "asset_number": "IMMO-000123",
                "assignee": "csp_agent" if api else w.users["csp_agent"].pk}
    return data


def _wizard_data(prefix):
    """"Enregistrer le brouillon" on the summary step, with a new subject."""
    def data(w):
        return {f"{prefix}-current_step": "recapitulatif", "save_draft": "1",
                "subject": "Sujet réécrit"}
    return data


# Cases the actions are tried on, in order of preference: the first in a state (and of a
# kind) where the workflow has a row for the action, so that the action would go through
# for the right person.
ACTION_CASES = ("pr_draft", "pr_awaiting_validation", "pr_submitted", "pr_in_progress",
                "pr_info_requested", "pr_completed", "tiers_in_progress", "tiers_awaiting_cst",
                "sd_in_progress")


def case_for_action(world, action) -> str:
    for name in ACTION_CASES:
        case = world.cases[name]
        if transitions_for(case.state, action, case.kind):
            return name
    return "pr_in_progress"  # create, and the unknown action: no row at all


def _case_variants(*names, reachers=None, data=None, api_format="json"):
    def variants(w):
        return [Variant(name, {"pk": w.cases[name].pk},
                        frozenset(reachers if reachers is not None else w.audience[name]),
                        data, api_format, w.secrets(name), w.watch(name))
                for name in (names or tuple(w.cases))]
    return variants


def _action_variants(api: bool):
    def variants(w):
        found = []
        for action in [*Action.values, UNKNOWN_ACTION]:
            name = case_for_action(w, action)
            offered = (action in API_ACTIONS if api
                       else action in Action.values and action not in NOT_ON_CASE_PAGE)
            found.append(Variant(
                f"{action}@{name}", {"pk": w.cases[name].pk, "action": action},
                w.audience[name] if offered else frozenset(), _action_data(name, api=api),
                secrets=w.secrets(name), watch=w.watch(name)))
        return found
    return variants


def _attachment_variants(w):
    found = []
    for key, case_name in (("quote", "pr_in_progress"), ("message_file", "pr_in_progress"),
                           ("rib", "tiers_in_progress"), ("draft_quote", "pr_draft")):
        attachment = w.attachments[key]
        found.append(Variant(f"{key}@{case_name}", {"pk": attachment.pk},
                             w.audience[case_name], secrets=w.secrets(case_name),
                             watch=((Attachment, attachment.pk), *w.watch(case_name))))
    return found


def _draft_attachment_variants(w):
    a = w.attachments
    return [
        Variant("quote@pr_draft", {"pk": w.cases["pr_draft"].pk,
                                   "attachment_pk": a["draft_quote"].pk},
                frozenset({"sp_agent"}),
                watch=((Attachment, a["draft_quote"].pk), *w.watch("pr_draft"))),
        Variant("quote@pr_in_progress", {"pk": w.cases["pr_in_progress"].pk,
                                         "attachment_pk": a["quote"].pk},
                frozenset({"sp_agent"}), secrets=w.secrets("pr_in_progress"),
                watch=((Attachment, a["quote"].pk), *w.watch("pr_in_progress"))),
        # Mix and match: the foreign author's own draft, with the owning draft's attachment.
        Variant("draft_quote-via-foreign_draft",
                {"pk": w.foreign["foreign_draft"].pk, "attachment_pk": a["draft_quote"].pk},
                watch=((Attachment, a["draft_quote"].pk), *w.watch("pr_draft"))),
    ]


def _one(key, model, reachers, *, case_name=None):
    def variants(w):
        obj = w.objects[key]
        return [Variant(key, {"pk": obj.pk}, frozenset(reachers),
                        secrets=w.secrets(case_name) if case_name else (),
                        watch=((model, obj.pk), *(w.watch(case_name) if case_name else ())))]
    return variants


def _year_end_variants(w):
    order = w.cases["pr_completed"].purchase_request
    return [Variant("ej@pr_completed", {"pk": order.pk}, frozenset({"sp_agent", "ordonnateur"}),
                    lambda w: {"decision": YearEndDecision.CARRY_OVER, "page": "1",
                               "comment": "Livraison attendue en janvier"},
                    secrets=w.secrets("pr_completed"),
                    watch=((PurchaseRequest, order.pk), *w.watch("pr_completed")))]


def _tiers_variants(w):
    tiers, case = w.objects["tiers"], w.cases["tiers_completed"]
    return [Variant("tiers@tiers_completed", {"pk": tiers.pk}, frozenset(OWNERS),
                    watch=((Tiers, tiers.pk),),
                    hidden_link=f'href="{case.get_absolute_url()}"')]


def _catalogue_variants(w):
    page = w.objects["page"]
    return [Variant("form-reserved-to-DRAC", {"page_id": page.pk},
                    frozenset({"sp_agent", "ordonnateur"}), _wizard_data("generic"),
                    watch=((ProcedureFormPage, page.pk),))]


def _api_catalogue_variants(w):
    page = w.objects["page"]
    return [Variant("form-reserved-to-DRAC", {"pk": page.pk},
                    frozenset({"sp_agent", "ordonnateur"}),
                    watch=((ProcedureFormPage, page.pk),))]


def _api_content_data(w):
    return {"content": {"subject": "Sujet réécrit", "answers": {}}}


def other_pdf(name: str) -> SimpleUploadedFile:
    """A valid PDF whose bytes differ from tiny_pdf()'s (a case refuses a duplicate)."""
    return SimpleUploadedFile(name, TINY_PDF + f"% {name}\n".encode(),
                              content_type="application/pdf")


def _message_data(w):
    return {"body": "Message déposé par quelqu'un d'autre",
            "files": other_pdf("piece-jointe.pdf")}


def _annotations_data(w):
    return {"annotations-version": "0"}


def _annotations_variants(w):
    """The centre's agents reach an in-progress case's annotations (refused with 400 when its
    form has none); nobody a draft's."""
    return [*_case_variants("pr_in_progress", reachers={"csp_agent", "csp_head"},
                            data=_annotations_data)(w),
            *_case_variants("generic_draft", reachers=set(), data=_annotations_data)(w)]


def _opinion_ask_data(w):
    """A valid request for an opinion: someone with an account, a question, a deadline."""
    return {"expert_email": w.users["nobody"].email, "question": "Votre avis sur ce devis ?",
            "deadline": default_deadline().isoformat(), "question_file": other_pdf("q.pdf")}


def _opinion_answer_data(w):
    return {"answer": "Avis déposé par quelqu'un d'autre", "answer_file": other_pdf("r.pdf")}


def _opinion_variants(*keys, reachers=()):
    """The expert's own opinion request (`opinion`, unanswered, on pr_in_progress), another
    expert's on the same case (`other_opinion`, answered, with files) and on another case
    (`elsewhere_opinion`, pr_submitted)."""
    def variants(w):
        return [Variant(key, {"pk": w.objects[key].pk}, frozenset(reachers),
                        secrets=w.secrets(w.opinion_cases[key]),
                        watch=((ExpertOpinion, w.objects[key].pk),
                               *w.watch(w.opinion_cases[key])))
                for key in keys]
    return variants


def _rating_data(w):
    return {"score": "1", "comment": "Note déposée par quelqu'un d'autre"}


def _api_attachment_data(w):
    return {"kind": "quote", "file": other_pdf("devis-ajoute.pdf")}


ALL_CASES = ()  # no name: every case of the owning side
WEB, API, ADMIN, CMS = "web", "api", "admin", "cms"
BOTH, GET, POST = ("GET", "POST"), ("GET",), ("POST",)

# The portal's object-scoped URLs, by URL name.
_export_job = _one("export_job", ExportJob, {"csp_agent"})
_batch = _one("batch", SigningBatch, {"csp_agent"})
_invoice = _one("invoice", Invoice, OWNERS)
_invoice_import = _one("invoice_import", InvoiceImport, {"csp_agent", "csp_head"})

TARGETS: dict[str, Target] = {
    # cases/urls.py
    "purchases:resume": Target(
        "Case", WEB, BOTH, _case_variants("pr_draft", "pr_in_progress", reachers={"sp_agent"},
                                          data=_wizard_data("purchase_request")),
        "cases/wizard.py KindWizard.dispatch"),
    "cases:draft_attachment_remove": Target(
        "Case+Attachment", WEB, POST, _draft_attachment_variants,
        "cases/views.py draft_attachment_remove"),
    "cases:export_job": Target("ExportJob", WEB, BOTH, _export_job, "cases/views.py export_job"),
    "cases:export_job_status": Target("ExportJob", WEB, BOTH, _export_job,
                                      "cases/views.py export_job_status"),
    "cases:export_job_download": Target("ExportJob", WEB, BOTH, _export_job,
                                        "cases/views.py export_job_download"),
    # A centre's agent groups: its head's pages (CSPEST's head only).
    "cases:agent_group_edit": Target("AgentGroup", WEB, BOTH,
                                     _one("agent_group", AgentGroup, {"csp_head"}),
                                     "cases/group_views.py agent_group_edit"),
    "cases:agent_group_delete": Target("AgentGroup", WEB, BOTH,
                                       _one("agent_group", AgentGroup, {"csp_head"}),
                                       "cases/group_views.py agent_group_remove"),
    "cases:saved_filter_delete": Target("SavedFilter", WEB, POST,
                                        _one("saved_filter", SavedFilter, {"csp_agent"}),
                                        "cases/views.py saved_filter_delete"),
    "cases:export_template_delete": Target("ExportTemplate", WEB, POST,
                                           _one("export_template", ExportTemplate,
                                                {"csp_agent"}),
                                           "cases/export_views.py export_template_delete"),
    "cases:detail": Target("Case", WEB, BOTH, _case_variants(*ALL_CASES),
                           "cases/views.py case_detail"),
    "cases:action": Target("Case", WEB, POST, _action_variants(api=False),
                           "cases/views.py case_action"),
    # documents/urls.py
    "documents:download": Target("Attachment", WEB, BOTH, _attachment_variants,
                                 "documents/views.py download"),
    "documents:issued": Target("IssuedDocument", WEB, BOTH,
                               _one("issued", IssuedDocument, OWNERS, case_name="pr_signed"),
                               "documents/views.py issued_download"),
    "documents:case_summary": Target("Case", WEB, BOTH,
                                     _case_variants("pr_draft", "pr_in_progress", "pr_signed"),
                                     "documents/views.py case_summary"),
    "documents:order_form_preview": Target(
        "Case", WEB, BOTH, _case_variants("pr_completed", "pr_signed",
                                          reachers={"csp_agent", "csp_head"}),
        "documents/views.py order_form_preview"),
    "documents:batch": Target("SigningBatch", WEB, BOTH, _batch,
                              "documents/views.py batch_detail"),
    "documents:batch_status": Target("SigningBatch", WEB, BOTH, _batch,
                                     "documents/views.py batch_status"),
    "documents:batch_retry": Target("SigningBatch", WEB, POST, _batch,
                                    "documents/views.py batch_retry"),
    # forms_catalog/urls.py
    "forms_catalog:new": Target("ProcedureFormPage", WEB, BOTH, _catalogue_variants,
                                "forms_catalog/wizard.py GenericFormWizard.dispatch"),
    "forms_catalog:resume": Target("Case", WEB, BOTH,
                                   _case_variants("generic_draft", data=_wizard_data("generic")),
                                   "forms_catalog/wizard.py GenericFormWizard.dispatch"),
    # Private annotations: the processing centre only (the requester gets a 404 too).
    "forms_catalog:annotations": Target(
        "Case", WEB, POST, _annotations_variants,
        "forms_catalog/annotations/views.py annotations_save"),
    # suppliers/urls.py
    "suppliers:resume": Target("Case", WEB, BOTH,
                               _case_variants("tiers_draft", data=_wizard_data("tiers")),
                               "cases/wizard.py KindWizard.dispatch"),
    "suppliers:tiers_detail": Target("Tiers", WEB, BOTH, _tiers_variants,
                                     "suppliers/views.py tiers_detail", shared=True),
    # service_done/urls.py
    "service_done:resume": Target("Case", WEB, BOTH,
                                  _case_variants("sd_draft", data=_wizard_data("service_done")),
                                  "cases/wizard.py KindWizard.dispatch"),
    "service_done:year_end_review": Target("PurchaseRequest", WEB, POST, _year_end_variants,
                                           "service_done/views.py year_end_review"),
    # fixed_assets/urls.py
    "fixed_assets:resume": Target("Case", WEB, BOTH,
                                  _case_variants("fa_draft", data=_wizard_data("fixed_asset")),
                                  "cases/wizard.py KindWizard.dispatch"),
    # messaging/urls.py
    # opinions/urls.py
    "opinions:ask": Target("Case", WEB, POST,
                           _case_variants("pr_in_progress", "pr_completed",
                                          reachers={"csp_agent", "csp_head"},
                                          data=_opinion_ask_data),
                           "opinions/views.py ask"),
    "opinions:answer": Target("ExpertOpinion", WEB, POST,
                              _opinion_variants("opinion", "other_opinion",
                                                "elsewhere_opinion"),
                              "opinions/views.py answer"),
    "opinions:share": Target("ExpertOpinion", WEB, POST,
                             _opinion_variants("other_opinion", "opinion",
                                               reachers={"csp_agent", "csp_head"}),
                             "opinions/views.py share"),
    "opinions:question_file": Target("ExpertOpinion", WEB, BOTH,
                                     _opinion_variants("opinion", "other_opinion",
                                                       reachers={"csp_agent", "csp_head"}),
                                     "opinions/views.py question_file"),
    "opinions:answer_file": Target("ExpertOpinion", WEB, BOTH,
                                   _opinion_variants("other_opinion",
                                                     reachers={"csp_agent", "csp_head"}),
                                   "opinions/views.py answer_file"),
    "invoices:detail": Target("Invoice", WEB, GET, _invoice, "invoices/views.py invoice_detail"),
    "invoices:import_job": Target("InvoiceImport", WEB, GET, _invoice_import,
                                  "invoices/views.py invoice_import_job"),
    "messaging:create": Target("Case", WEB, POST,
                               _case_variants("pr_in_progress", "pr_draft", data=_message_data),
                               "messaging/views.py message_create"),
    # satisfaction/urls.py
    "satisfaction:rate": Target("Case", WEB, POST,
                                _case_variants("pr_completed", "pr_in_progress",
                                               data=_rating_data),
                                "satisfaction/views.py rating_submit"),
    # decisions/urls.py
    "decisions:issue": Target("Case", WEB, POST,
                              _case_variants("pr_completed", "pr_in_progress",
                                             reachers={"csp_agent", "csp_head"}),
                              "decisions/views.py letter_issue"),
    # cases/api_urls.py
    "api_case": Target("Case", API, GET, _case_variants(*ALL_CASES),
                       "cases/api.py CaseDetailView"),
    "api_case_attachments": Target(
        "Case", API, POST, _case_variants("pr_draft", "pr_in_progress", data=_api_attachment_data,
                                          api_format="multipart"),
        "cases/api.py CaseAttachmentView"),
    "api_case_action": Target("Case", API, POST, _action_variants(api=True),
                              "cases/api.py CaseActionView"),
    "api_case_content": Target(
        "Case", API, POST, _case_variants("pr_draft", "generic_draft", "tiers_draft", "sd_draft",
                                          "fa_draft", "pr_in_progress", reachers={"sp_agent"},
                                          data=_api_content_data),
        "cases/api.py CaseContentView (cases/api_drafts.py wizard_for)", write="PATCH"),
    "api_form_schema": Target("ProcedureFormPage", API, GET, _api_catalogue_variants,
                              "cases/api_forms.py CatalogueFormSchemaView"),
}

# The Django admin: models whose objects belong to a case join the matrix...
ADMIN_CASE_SCOPED = {
    "cases.caseevent": "event",
    "documents.issueddocument": "issued",
    "suppliers.tiersrequest": "tiers_request",
    "suppliers.tierschange": "tiers_change",
}
# ...the others are the back office's referentials, directory, accounts and machinery.
ADMIN_BACK_OFFICE = {
    "portal.service", "portal.delegation", "portal.agentgroup", "cases.budgetimputation",
    "cases.tiers",
    "sirene.establishment", "suppliers.postalcode", "invoices.invoice",
    "invoices.moratoriumrate", "dsfr.dsfrconfig", "django_q.schedule",
    "django_q.success", "django_q.failure", "django_q.ormq", "axes.accessattempt",
    "axes.accesslog", "axes.accessfailurelog", "authtoken.tokenproxy", "wagtaildocs.document",
    "wagtailimages.image", "taggit.tag", "auth.group", "auth.user",
}
ADMIN_OBJECT_ROUTE = re.compile(r"^django-admin/(\w+)/(\w+)/<(?:path:object_id|id)>/(\w+/)?$")
ADMIN_VIEW_ON_SITE = "admin:view_on_site"

# The Wagtail CMS: editorial content (pages, images, documents, collections, workflows,
# redirects, form submissions, sites) and its own accounts, by namespace (or name).
CMS_BACK_OFFICE = {
    "wagtailadmin_api", "wagtailadmin_explore", "wagtailadmin_explore_results",
    "wagtailadmin_pages", "wagtailadmin_choose_page_child", "wagtailadmin_collections",
    "wagtailadmin_workflows", "wagtailforms", "wagtailredirects", "wagtaildocs",
    "wagtailimages", "wagtailsites", "wagtailusers_users", "wagtailusers_groups",
    "wagtaildocs_chooser", "wagtailimages_chooser", "wagtailapi",
    "wagtailcore_authenticate_with_password",
    # The catalogue's editors' report (forms_catalog/admin_views.py): a form's open cases by
    # revision, for the editors who may edit that page (its references and states, as the
    # page's own history would); anyone else gets the CMS login page or a 404
    # (forms_catalog/tests/test_editors.py).
    "forms_catalog_admin",
}
# The editing-session ping takes any model: it is tried on a case.
CMS_PING = "wagtailadmin_editing_sessions:ping"
CMS_EDITING_SESSION_RELEASE = "wagtailadmin_editing_sessions:release"  # a session of one's own


ADMIN_MODELS = {"cases.caseevent": CaseEvent, "documents.issueddocument": IssuedDocument,
                "suppliers.tiersrequest": TiersRequest, "suppliers.tierschange": TiersChange}


def _admin_variants(model_label):
    def variants(w):
        obj = w.objects[ADMIN_CASE_SCOPED[model_label]]
        case_name = {"suppliers.tiersrequest": "tiers_in_progress",
                     "suppliers.tierschange": "tiers_completed",
                     "documents.issueddocument": "pr_signed"}.get(model_label, "pr_in_progress")
        return [Variant(f"{model_label}@{case_name}", {"object_id": obj.pk},
                        secrets=w.secrets(case_name),
                        watch=((ADMIN_MODELS[model_label], obj.pk), *w.watch(case_name)))]
    return variants


def _view_on_site_variants(w):
    case = w.cases["pr_in_progress"]
    return [Variant("cases.case@pr_in_progress",
                    {"content_type_id": ContentType.objects.get_for_model(Case).pk,
                     "object_id": case.pk}, secrets=w.secrets("pr_in_progress"),
                    watch=w.watch("pr_in_progress"))]


def _ping_variants(w):
    case = w.cases["pr_in_progress"]
    return [Variant("cases.case@pr_in_progress",
                    {"app_label": "cases", "model_name": "case", "object_id": case.pk,
                     "session_id": 1}, data=lambda w: {"is_editing": "1"},
                    secrets=w.secrets("pr_in_progress"), watch=w.watch("pr_in_progress"))]


OUT_OF_SCOPE = "out of scope"


def classify(route: Route):
    """The Target of an object-scoped route, OUT_OF_SCOPE (with the rule), or None."""
    if route.name in TARGETS:
        return TARGETS[route.name]
    if route.route.startswith("django-admin/"):
        if route.name == ADMIN_VIEW_ON_SITE:
            return Target("Case", ADMIN, BOTH, _view_on_site_variants,
                          "django.contrib.admin (staff only)")
        match = ADMIN_OBJECT_ROUTE.match(route.route)
        if match:
            label = f"{match.group(1)}.{match.group(2)}"
            if label in ADMIN_CASE_SCOPED:
                return Target(label, ADMIN, BOTH, _admin_variants(label),
                              "django.contrib.admin (staff only)")
            if label in ADMIN_BACK_OFFICE:
                return OUT_OF_SCOPE
        return None
    if route.name == CMS_PING:
        return Target("Case", CMS, POST, _ping_variants,
                      "wagtail/admin/views/editing_sessions.py ping")
    if route.name == CMS_EDITING_SESSION_RELEASE:
        return OUT_OF_SCOPE
    if route.route.startswith(("cms/", "api/v2/", "pages/_util/")):
        if route.name.split(":")[0] in CMS_BACK_OFFICE:
            return OUT_OF_SCOPE
    return None


def _label(route: Route) -> str:
    if route.name:
        return route.name
    match = ADMIN_OBJECT_ROUTE.match(route.route)
    if match:  # the admin's unnamed "<object_id>/" (a redirect to the change page)
        return f"admin:{match.group(1)}_{match.group(2)}_object"
    return route.route


ROUTES = discovered_routes()
MATRIX_ROUTES = [(route, classify(route)) for route in ROUTES
                 if isinstance(classify(route), Target)]


# Real vulnerabilities found by this matrix: (label, role, method) -> reason.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


def _matrix_params():
    params = []
    for route, _target in MATRIX_ROUTES:
        for role in ROLES:
            for method in METHODS:
                label = _label(route)
                marks = []
                bug = KNOWN_BUGS.get((label, role, method))
                if bug:
                    marks.append(pytest.mark.xfail(strict=True, reason=f"BUG: {bug}"))
                params.append(pytest.param(route, role, method, marks=marks,
                                           id=f"{label}-{role}-{method}"))
    return params


MATRIX = _matrix_params()


# --- the world, built once per module ---------------------------------------------------------


def _fixture(name):
    """The function behind a tests/fixtures.py fixture: those are function-scoped, and the world
    is built once for the module, so their bodies are called directly (pytest keeps them as
    `__wrapped__`) — people and requests are made exactly as in every other test."""
    return getattr(conftest, name).__wrapped__


_companies = itertools.count(95_001)


def _company(n: int) -> dict:
    return {"category": "company", "name": f"Serrurerie Matrice {n} SARL",
            "siret": valid_siret(n), "address": "5 rue des Clefs", "postcode": "67000",
            "city": "Strasbourg", "country": "FR", "iban": valid_iban(n), "bic": "CEPAFRPP751",
            "email": "contact@serrurerie.fr"}


RESERVED_FORM_FIELDS = [
    ("section", {"title": "La demande"}),
    ("text", {"label": "Objet de la demande", "help_text": "", "required": True,
              "show_if_field": "", "show_if_value": ""}),
]


def _party(centre, kind, code):
    return service_get_or_create(code=code, name=code, kind=kind, processing_centre=centre)


def _build_world(root: Path) -> World:
    csp = _fixture("csp")(None)
    sp = _fixture("sp")(csp)
    other_csp = _fixture("other_csp")(None)
    other_sp = _fixture("other_sp")(other_csp)
    users = {
        "sp_agent": _fixture("sp_agent")(sp),
        "ordonnateur": _fixture("ordonnateur")(sp),
        "csp_agent": _fixture("csp_agent")(csp),
        "csp_head": _fixture("csp_head")(csp),
        "cst": _fixture("cst")(csp),
        "foreign_sp_agent": _fixture("foreign_sp_agent")(other_sp),
        "foreign_ordonnateur": member(other_sp, Role.ORDONNATEUR, ceiling="100000",
                                      username="foreign_ordonnateur"),
        "foreign_csp_agent": _fixture("foreign_csp_agent")(other_csp),
        "foreign_csp_head": member(other_csp, Role.CSP_HEAD, username="foreign_csp_head"),
        "foreign_cst": member(other_csp, Role.CST, username="foreign_cst"),
        # The other centre's purchasing mission and budget controller.
        "foreign_mda": member(_party(other_csp, Service.Kind.PURCHASING_MISSION, "MDAOUT"),
                              Role.MDA_AGENT, username="foreign_mda"),
        "foreign_cbcm": member(_party(other_csp, Service.Kind.BUDGET_CONTROL, "CBCMOUT"),
                               Role.CBCM_AGENT, username="foreign_cbcm"),
        # A CMS editor (conventions/tests/test_models.py): in the editors' group, of no service.
        "editor": UserFactory(username="redacteur"),
        "nobody": UserFactory(username="sans.service"),
        # Asked for an opinion on pr_in_progress (a référent métier of no service), and
        # another expert asked on the same case and on pr_submitted.
        "expert": UserFactory(username="expert"),
        "other_expert": UserFactory(username="autre.expert"),
    }
    editorial = editorial_setup()
    users["editor"].groups.add(editorial.editors)
    give = _fixture("give_credential")(settings.SIGNING_CREDENTIALS_DIR)
    for signatory in ("csp_agent", "csp_head", "foreign_csp_agent", "foreign_csp_head"):
        give(users[signatory])
    make = _fixture("make_purchase_request")(_fixture("purchase_request_data")())
    sp_agent, csp_agent = users["sp_agent"], users["csp_agent"]

    def purchase_request(state):
        return make(sp_agent, amount=AMOUNT, state=state, agent=csp_agent,
                    ordonnateur=users["ordonnateur"])

    def tiers(state):
        case = case_draft_create(actor=sp_agent, service=sp, kind=CaseKind.TIERS)
        if state == State.DRAFT:
            return case
        tiers_request_fill(case=case, actor=sp_agent, identity=_company(next(_companies)))
        attachment_add(case=case, kind=AttachmentKind.RIB, uploaded=tiny_pdf("rib.pdf"),
                       actor=sp_agent)
        steps = [(Action.SUBMIT, sp_agent), (Action.CLAIM, csp_agent)]
        if state in (State.AWAITING_CST, State.COMPLETED):
            steps.append((Action.SEND_TO_CST, csp_agent))
        if state == State.COMPLETED:
            steps.append((Action.CST_VALIDATE, users["cst"]))
        for action, who in steps:
            case = transition(case=case, action=action, actor=who)
        return case

    def service_done(state):
        case = case_draft_create(actor=sp_agent, service=sp, kind=CaseKind.SERVICE_DONE)
        if state == State.DRAFT:
            return case
        ordered = purchase_request(State.COMPLETED)
        attachment_add(case=case, kind=AttachmentKind.DELIVERY_PROOF,
                       uploaded=tiny_pdf("bl.pdf"), actor=sp_agent)
        statement_fill(case=case, actor=sp_agent, data=StatementData(
            purchase_request=ordered.purchase_request, delivered_on=timezone.localdate(),
            lines=[(line, Decimal("1")) for line in ordered.purchase_request.lines.all()]))
        for action, who in [(Action.SUBMIT, sp_agent), (Action.VALIDATE, users["ordonnateur"]),
                            (Action.CLAIM, csp_agent)]:
            case = transition(case=case, action=action, actor=who)
        return case

    page = ProcedureFormPage(title="Formulaire réservé à la DRAC", slug="formulaire-reserve",
                             form_kind="generic", fields=RESERVED_FORM_FIELDS)
    page.services = [sp]
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    page = ProcedureFormPage.objects.get(pk=page.pk)

    cases = {f"pr_{state}": purchase_request(state) for state in (
        State.DRAFT, State.AWAITING_VALIDATION, State.SUBMITTED, State.IN_PROGRESS,
        State.INFO_REQUESTED, State.COMPLETED, State.REJECTED, State.CANCELLED)}
    cases["pr_signed"] = purchase_request(State.COMPLETED)
    issued = order_form_sign(case=cases["pr_signed"], actor=csp_agent)
    cases.update({
        "tiers_draft": tiers(State.DRAFT),
        "tiers_in_progress": tiers(State.IN_PROGRESS),
        "tiers_awaiting_cst": tiers(State.AWAITING_CST),
        "tiers_completed": tiers(State.COMPLETED),
        "sd_draft": service_done(State.DRAFT),
        "sd_in_progress": service_done(State.IN_PROGRESS),
        "fa_draft": case_draft_create(actor=sp_agent, service=sp, kind=CaseKind.FIXED_ASSET),
        "generic_draft": catalogue_draft_create(actor=sp_agent, service=sp, procedure=page),
    })
    message = message_post(case=cases["pr_in_progress"], author=sp_agent,
                           body="Voici le bon de livraison signé.",
                           files=[other_pdf("bon-de-livraison.pdf")])
    def ask(case_name, expert):
        return opinion_ask(case=cases[case_name], actor=csp_agent,
                           expert_email=users[expert].email, deadline=default_deadline(),
                           question=f"Question à {expert} ?",
                           question_file=other_pdf(f"question-{expert}.pdf"))

    opinions = {"opinion": ask("pr_in_progress", "expert"),
                "other_opinion": ask("pr_in_progress", "other_expert"),
                "elsewhere_opinion": ask("pr_submitted", "other_expert")}
    opinion_answer(opinion=opinions["other_opinion"], actor=users["other_expert"],
                   answer="Avis de l'autre expert.", answer_file=other_pdf("avis-autre.pdf"))
    job = export_job_create(owner=csp_agent, scope="queue", fmt="csv", query="state=all")
    export_job_run(job.pk)
    batch = signing_batch_create(actor=csp_agent, case_ids=[cases["pr_completed"].pk])
    batch.items.update(status=SigningBatchItem.Status.FAILED, message="Erreur simulée")
    saved = saved_filter_save(user=csp_agent, name="Mes dossiers en retard",
                              query="mine=true&overdue=true")
    export_template, _created = export_template_save(
        owner=csp_agent, scope="queue", name="Suivi", columns=["case.reference"])
    # The other service's own cases (a draft with its quote: mix-and-match attempts).
    foreign = {"foreign_draft": make(users["foreign_sp_agent"], state=State.DRAFT),
               "foreign_submitted": make(users["foreign_sp_agent"], state=State.SUBMITTED)}

    for name in cases:
        cases[name].refresh_from_db()
    change = TiersChange.objects.get(case=cases["tiers_completed"])
    import_stream(extract(row(cases["pr_completed"].purchase_request.ej_number, "F-IDOR")))
    objects = {
        "invoice": Invoice.objects.get(number="F-IDOR"),
        "invoice_import": InvoiceImport.objects.create(
            centre=csp, uploaded_by=csp_agent, original_name="extrait.csv"),
        "export_job": ExportJob.objects.get(pk=job.pk), "saved_filter": saved, "batch": batch,
        "export_template": export_template,
        "agent_group": agent_group_get_or_create(centre=csp, name="Achats informatiques",
                                                 members=[csp_agent]),
        "issued": issued, "page": page, "tiers": change.tiers, "tiers_change": change,
        "tiers_request": cases["tiers_in_progress"].tiers_request,
        "event": cases["pr_in_progress"].events.order_by("pk").first(),
        **{key: ExpertOpinion.objects.get(pk=opinion.pk) for key, opinion in opinions.items()},
    }
    assert objects["export_job"].status == ExportJob.Status.DONE
    attachments = {
        "quote": cases["pr_in_progress"].attachments.get(message=None),
        "message_file": message.attachments.get(),
        "rib": cases["tiers_in_progress"].attachments.get(),
        "draft_quote": cases["pr_draft"].attachments.get(),
    }
    # Who sees a case, from the workflow: its author from the draft on, the requesting
    # service once deposited (it has a reference), the centre once it reached it.
    audience = {name: frozenset({"sp_agent"}
                                | ({"ordonnateur"} if case.reference else set())
                                | ({"csp_agent", "csp_head", "cst"} if case.submitted_at
                                   else set()))
                for name, case in cases.items()}
    world = World(users=users, cases=cases, foreign=foreign, audience=audience,
                  attachments=attachments, objects=objects, root=root)
    world.tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    world.opinion_cases = {"opinion": "pr_in_progress", "other_opinion": "pr_in_progress",
                           "elsewhere_opinion": "pr_submitted"}
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, in a transaction rolled back after the module's last test; each test runs
    in a savepoint of it (pytest-django's `db`), so what a test changes is undone."""
    root = tmp_path_factory.mktemp("idor-matrix")
    overrides = override_settings(
        MEDIA_ROOT=root / "media", SIGNING_CREDENTIALS_DIR=root / "signing",
        SIGNING_TRUST_ROOTS=root / "signing" / "trust-roots.pem",
        # The year-end review open whatever the month: a missing check would let it through.
        YEAR_END_OPENS_MONTH=1)
    overrides.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = _build_world(root)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            overrides.disable()
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        overrides.disable()


@pytest.fixture(autouse=True)
def _media_root(world):
    """Replaces tests/fixtures.py's per-test media directory: the world's files live in the
    module's directory (`world` overrides MEDIA_ROOT)."""


@pytest.fixture(autouse=True)
def signing_dir(world):
    """Replaces tests/fixtures.py's per-test signing directory by the module's."""
    return settings.SIGNING_CREDENTIALS_DIR


# --- what must not change ---------------------------------------------------------------------

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def writes(queries: CaptureQueriesContext) -> list[str]:
    """The writing statements of a request (any table), for the reports."""
    return [q["sql"][:160] for q in queries.captured_queries if WRITE.match(q["sql"])]


def rows_written() -> int | None:
    """How many rows the connection inserted, updated or deleted so far (a DELETE that
    matches nothing counts for nothing); None where the database cannot say."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                           "FROM pg_stat_xact_user_tables")
        else:
            return None
        return cursor.fetchone()[0]


def digest(watch) -> list:
    """The watched objects, re-read field by field, with what hangs on them (a case's
    events, attachments, messages and issued documents; a batch's items; an EJ's year-end
    reviews)."""
    rows = []
    for model, pk in watch:
        fields = [f.attname for f in model._meta.concrete_fields]
        rows.append(list(model._base_manager.filter(pk=pk).values_list(*fields)))
        if model is Case:
            case = Case.objects.get(pk=pk)
            rows.append((case.events.count(), case.attachments.count(),
                         case.messages.count(), case.issued_documents.count()))
        elif model is SigningBatch:
            rows.append(list(SigningBatchItem.objects.filter(batch_id=pk).order_by("pk")
                             .values_list("status", "attempts", "message", "document_id")))
        elif model is PurchaseRequest:
            rows.append(YearEndReview.objects.filter(purchase_request_id=pk).count())
        elif model is ExpertOpinion:
            rows.append(list(OpinionFile.objects.filter(opinion_id=pk).order_by("pk")
                             .values_list("part", "sha256")))
    return rows


# --- requests ---------------------------------------------------------------------------------


def client_for(world, target, role):
    user = world.users.get(role)
    if target.channel == API:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def send(client, target, method, url, variant, world):
    if method == "GET":
        return client.get(url)
    data = variant.data(world) if variant.data else {}
    if target.channel == API:
        return getattr(client, target.write.lower())(url, data, format=variant.api_format)
    return client.post(url, data)


def body_of(response) -> bytes:
    if response.streaming:
        # Consumed to the end, the test client's wrapper closes the response (a second close
        # would fire request_finished and close the connection, the world's transaction too).
        return b"".join(response.streaming_content)
    return response.content


def login_url(channel) -> str:
    return {WEB: reverse(settings.LOGIN_URL), ADMIN: reverse("admin:login"),
            CMS: reverse("wagtailadmin_login")}[channel]


def expectation(target, role, method) -> str:
    """What `role` must get: a status, "login" (a redirect to the channel's login page),
    "401/403", "owner" (anything but a server error) or "shared" (the directory page)."""
    if role == ANONYMOUS:
        return "401/403" if target.channel == API else "login"
    if target.channel == ADMIN:
        return "login"  # nobody of the matrix is staff
    if target.channel == CMS:
        if role != "editor":
            return "login"
        return "404" if method in target.methods else "405"
    if method not in target.methods:
        return "405"
    if role in OWNERS:
        return "owner"
    if target.shared and role in FOREIGN_MEMBERS:
        return "shared"
    return "404"


def check(expected, response, body, url, variant, role) -> str | None:
    """None when the answer is the expected one, else what went wrong."""
    status = response.status_code
    if expected == "login":
        location = response.get("Location", "")
        ok = status == 302 and location.startswith(login_url_for(url))
    elif expected == "401/403":
        ok = status in (401, 403)
    elif expected == "owner":
        ok = status < 500 and not (role in variant.reachers and status == 404)
    elif expected == "shared":
        ok = status == 200 and variant.hidden_link not in body.decode()
    else:
        ok = status == int(expected)
    if ok:
        return None
    return (f"{variant.label}: expected {expected}, got {status} "
            f"{response.get('Location', '')} {body[:200]!r}")


def login_url_for(url) -> str:
    if url.startswith("/django-admin/"):
        return login_url(ADMIN)
    if url.startswith("/cms/"):
        return login_url(CMS)
    return login_url(WEB)


# --- 1. the classification is complete --------------------------------------------------------


def test_every_object_scoped_url_is_classified():
    unknown = [f"{r.route} ({r.name or 'unnamed'})" for r in ROUTES if classify(r) is None]
    assert not unknown, ("object-scoped URLs the IDOR matrix does not know: classify them in "
                         "tests/security/test_idor_matrix.py (TARGETS, ADMIN_*, CMS_*): "
                         + ", ".join(unknown))
    names = [r.name for r in ROUTES if r.name in TARGETS]
    assert sorted(names) == sorted(TARGETS), (
        "TARGETS names URLs that are gone, or appear twice: "
        f"{set(TARGETS) ^ set(names)}")
    admin_found = {f"{m.group(1)}.{m.group(2)}" for r in ROUTES
                   if (m := ADMIN_OBJECT_ROUTE.match(r.route))}
    assert admin_found == set(ADMIN_CASE_SCOPED) | ADMIN_BACK_OFFICE, (
        "admin models gone from the site:", (set(ADMIN_CASE_SCOPED) | ADMIN_BACK_OFFICE)
        - admin_found)
    # The set of discovered object-scoped patterns is the set classified into the matrix or
    # out of it, and the matrix has them all.
    classified = {r.route for r in ROUTES if classify(r) is not None}
    assert {r.route for r in ROUTES} == classified
    assert {r.route for r, _t in MATRIX_ROUTES} == {
        r.route for r in ROUTES if isinstance(classify(r), Target)}


def test_the_matrix_covers_the_portal_urls_and_their_models():
    models = {target.model for _r, target in MATRIX_ROUTES}
    assert {"Case", "Attachment", "IssuedDocument", "SigningBatch", "ExportJob", "SavedFilter",
            "ExportTemplate", "PurchaseRequest", "Tiers", "ProcedureFormPage",
            "AgentGroup"} <= models
    # Every portal app's object-scoped URL (not the admin's nor the CMS's) is in the matrix.
    portal = {r.route for r in ROUTES if not r.route.startswith(
        ("django-admin/", "cms/", "api/v2/", "pages/"))}
    assert portal == {r.route for r, t in MATRIX_ROUTES if t.channel in (WEB, API)}


def test_every_api_path_with_an_id_is_in_the_matrix(client):
    response = client.get(reverse("api_schema"), {"format": "json"})
    assert response.status_code == 200
    paths = {re.sub(r"\{[^}]+\}", "{}", path) for path in response.json()["paths"]}
    with_id = {path for path in paths if "{}" in path}
    assert with_id, "the schema lists no path with an identifier"
    in_matrix = {re.sub(r"<[^>]+>", "{}", "/" + r.route) for r, t in MATRIX_ROUTES
                 if t.channel == API}
    assert with_id <= in_matrix, f"API paths missing from the matrix: {with_id - in_matrix}"
    # ...and the matrix has no API path the schema does not document.
    assert in_matrix <= paths


def test_conftest_fixtures_are_available_here(world, sp, csp, other_sp, other_csp,
                                              make_purchase_request, give_credential):
    """tests/fixtures.py serves tests/security/ (the rootdir conftest.py loads it as a plugin),
    and the world is made of the same services and people."""
    assert (sp.pk, csp.pk) == (world.cases["pr_submitted"].requesting_service_id,
                               world.cases["pr_submitted"].processing_centre_id)
    assert (other_sp.processing_centre, other_csp.code) == (other_csp, "CSPOUEST")
    case = make_purchase_request(world.users["sp_agent"], state=State.SUBMITTED)
    assert case.requesting_service == sp
    assert give_credential(world.users["csp_agent"]).exists()


# --- 2. the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "role", "method"), MATRIX)
def test_idor_matrix(world, route, role, method):
    target = classify(route)
    expected = expectation(target, role, method)
    outsider = role not in OWNERS
    client = client_for(world, target, role)
    problems = []
    for variant in target.variants(world):
        url = url_for(route.route, variant.kwargs)
        assert resolve(url).route == route.route, url
        before = digest(variant.watch) if outsider else None
        rows_before = rows_written() if outsider else None
        with CaptureQueriesContext(connection) as queries:
            response = send(client, target, method, url, variant, world)
            body = body_of(response)
        problem = check(expected, response, body, url, variant, role)
        if problem:
            problems.append(problem)
        if not outsider:
            continue
        rows_after = rows_written()
        if rows_after != rows_before or (rows_after is None and writes(queries)):
            problems.append(f"{variant.label}: {role} wrote to the database "
                            f"({rows_before} -> {rows_after} rows): {writes(queries)}")
        if digest(variant.watch) != before:
            problems.append(f"{variant.label}: {role} changed {variant.watch}")
        leaked = [s for s in variant.secrets if s.encode() in body]
        if leaked:
            problems.append(f"{variant.label}: {role} was shown {leaked}")
    assert not problems, f"{method} {route.route} as {role} ({target.view}):\n" + "\n".join(
        problems)


# --- 2b. the expert: one case, their own opinion, nothing else ---------------------------------

EXPERT = "expert"
EXPERT_CASE = "pr_in_progress"
# What the expert must reach on their case: its page, its pieces and summary, its record in
# the API; their own request: the answer form's target and the question's file.
EXPERT_REACHES = {("cases:detail", "GET"), ("documents:download", "GET"),
                  ("documents:case_summary", "GET"), ("api_case", "GET"),
                  ("opinions:answer", "POST"), ("opinions:question_file", "GET")}


def expert_touches(world, variant) -> bool:
    """Whether the variant is the expert's own opinion, or (not being an opinion) their case."""
    if (ExpertOpinion, world.objects["opinion"].pk) in variant.watch:
        return True
    if any(model is ExpertOpinion for model, _pk in variant.watch):
        return False
    return (Case, world.cases[EXPERT_CASE].pk) in variant.watch


EXPERT_MATRIX = [pytest.param(route, method, id=f"{_label(route)}-{method}")
                 for route, _target in MATRIX_ROUTES for method in METHODS]


@pytest.mark.parametrize(("route", "method"), EXPERT_MATRIX)
def test_the_expert_reaches_their_one_case_and_nothing_else(world, route, method):
    """Every object-scoped URL x GET/POST for the person asked an opinion on pr_in_progress:
    on that case and on their own request, never a server error and what they need is
    reached; on any other case (of the same service and centre included), another
    expert's request (on their very case included) or any other object, what a foreign
    user gets — 404 (or the login page, a 405) —, nothing written, nothing shown."""
    target = classify(route)
    client = client_for(world, target, EXPERT)
    outsider = expectation(target, "nobody", method)
    problems = []
    for variant in target.variants(world):
        url = url_for(route.route, variant.kwargs)
        if expert_touches(world, variant):
            response = send(client, target, method, url, variant, world)
            status = response.status_code
            body_of(response)
            if status >= 500 or (status == 404 and (_label(route), method) in EXPERT_REACHES):
                problems.append(f"{variant.label}: the expert got {status}")
            continue
        before, rows_before = digest(variant.watch), rows_written()
        with CaptureQueriesContext(connection) as queries:
            response = send(client, target, method, url, variant, world)
            body = body_of(response)
        problem = check(outsider, response, body, url, variant, EXPERT)
        if problem:
            problems.append(problem)
        rows_after = rows_written()
        if rows_after != rows_before or (rows_after is None and writes(queries)):
            problems.append(f"{variant.label}: the expert wrote to the database: "
                            f"{writes(queries)}")
        if digest(variant.watch) != before:
            problems.append(f"{variant.label}: the expert changed {variant.watch}")
        if variant.secrets and (Case, world.cases[EXPERT_CASE].pk) not in variant.watch:
            leaked = [secret for secret in variant.secrets if secret.encode() in body]
            if leaked:
                problems.append(f"{variant.label}: the expert was shown {leaked}")
    assert not problems, f"{method} {route.route} as the expert ({target.view}):\n" + "\n".join(
        problems)


def test_the_experts_case_page_shows_their_question_only(world):
    client = client_for(world, TARGETS["cases:detail"], EXPERT)
    page = client.get(world.cases[EXPERT_CASE].get_absolute_url()).content.decode()
    assert "Question à expert ?" in page
    assert "Avis de l&#x27;autre expert." not in page
    assert "Question à other_expert ?" not in page


# --- 3. case ids in a form body -----------------------------------------------------------------

# Two URLs take case ids in their form, not in their path: the URL walk cannot see them, so
# they are listed here by hand. A foreign head assigns "the selection" to an agent of their
# own centre; a foreign agent asks to sign the owning centre's order form.
BODY_SCOPED = {
    "cases:bulk_assign": lambda w: {
        "cases": [w.cases["pr_submitted"].pk, w.cases["pr_in_progress"].pk],
        "assignee": w.users["foreign_csp_agent"].pk, "query": ""},
    "documents:batch_create": lambda w: {"cases": [w.cases["pr_completed"].pk]},
}
BODY_WATCHED = ("pr_submitted", "pr_in_progress", "pr_completed")


@pytest.mark.parametrize("role", FOREIGN)
@pytest.mark.parametrize("name", BODY_SCOPED)
def test_case_ids_in_a_form_body(world, name, role):
    from django.contrib.messages import get_messages

    client = client_for(world, TARGETS["cases:detail"], role)
    watch = tuple(itertools.chain.from_iterable(world.watch(n) for n in BODY_WATCHED))
    before, rows_before = digest(watch), rows_written()
    response = client.post(reverse(name), BODY_SCOPED[name](world))
    assert response.status_code in (302, 404)
    assert rows_written() == rows_before, f"{role} wrote to the database through {name}"
    assert digest(watch) == before
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    for case_name in BODY_WATCHED:  # refused cases are ignored, never named
        assert world.cases[case_name].reference not in said


# --- 4. size ----------------------------------------------------------------------------------


def test_matrix_size():
    size = len(MATRIX_ROUTES) * len(ROLES) * len(METHODS)
    assert len(MATRIX) == size
    assert len(MATRIX_ROUTES) >= len(TARGETS)
    print(f"\nIDOR matrix: {len(MATRIX_ROUTES)} object-scoped URL patterns x {len(ROLES)} roles"
          f" x {len(METHODS)} methods = {size} parameters")
