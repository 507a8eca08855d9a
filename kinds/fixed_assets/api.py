"""The fixed-asset request in the REST API: its content, checked by the wizard's own forms
(cases.api_drafts) — `asset_kind` (Fiec or Fies), `label`, `description`, then what the kind
needs: `purchase_requests` (the ids of the linked purchase requests' cases), or `commissioned_on`,
`depreciation_years`, `inventory_number` and `under_construction` (the Fiec's case id). The
acquisition document or the commissioning report is attached by POST
/api/cases/<id>/attachments/ (kind `acquisition` or `commissioning`)."""

from cases.api_drafts import WizardDraft


class FixedAssetDraft(WizardDraft):
    wizard_path = "kinds.fixed_assets.wizard.FixedAssetWizard"
