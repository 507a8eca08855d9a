"""The tiers (supplier) request in the REST API: its content, checked by the wizard's own forms
(cases.api_drafts) — nature (`operation`, `tiers` to modify, `category`), identity, address and
bank details, each field named as in the wizard's forms. The RIB is attached by POST
/api/cases/<id>/attachments/ (kind `rib`)."""

from cases.api_drafts import WizardDraft


class TiersRequestDraft(WizardDraft):
    wizard_path = "kinds.tiers.wizard.TiersRequestWizard"
