from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDoneConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kinds.service_done"
    label = "service_done"  # kept from before kinds/: tables, migrations and permissions name it
    verbose_name = _("Service fait")

    def ready(self):
        from cases import kinds

        from .kind import CERTIFICATES, ORDER_PROGRESS, SERVICE_DONE

        kinds.register(SERVICE_DONE)
        kinds.add_case_page_part(CERTIFICATES)
        kinds.add_case_page_part(ORDER_PROGRESS)
