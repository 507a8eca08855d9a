from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from cases.signals import case_transitioned

        from .services import notify_transition

        # Notices of a workflow step once it is committed (cases.signals).
        case_transitioned.connect(notify_transition, dispatch_uid="notifications")
