from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "messaging"
    verbose_name = _("Messagerie des dossiers")

    def ready(self):
        from cases import kinds

        from .case_page import THREAD
        from .selectors import with_unread

        kinds.add_case_page_part(THREAD)
        kinds.add_case_list_annotation(with_unread)
