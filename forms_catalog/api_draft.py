"""A catalogue form's draft in the REST API (the generic kind): the body names the form
(`procedure`, its page id) and the content holds the answers by field key, checked step by
step by the catalogue wizard's StepForms (cases.api_drafts)."""

from cases.api_drafts import WizardDraft


class CatalogueDraft(WizardDraft):
    wizard_path = "forms_catalog.wizard.GenericFormWizard"
    takes_procedure = True

    def new_kwargs(self, procedure: int | None) -> dict:
        return {"page_id": procedure}
