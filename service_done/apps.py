from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDoneConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "service_done"
    verbose_name = _("Service fait")
