from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "decisions"
    verbose_name = _("Courriers de décision")

    def ready(self):
        from cases import kinds
        from cases.signals import case_transitioned

        from .case_page import LETTER
        from .services import on_case_transitioned

        # A catalogue case completed or rejected gets its letter once committed.
        case_transitioned.connect(on_case_transitioned, dispatch_uid="decisions")
        kinds.add_case_page_part(LETTER)
