from django.core.management.base import BaseCommand

from conventions.services import editorial_setup


class Command(BaseCommand):
    help = ("Crée (ou complète) les rubriques du site, les groupes Éditeurs et Responsables de "
            "centre, leurs droits sur les pages et le circuit de validation des conventions.")

    def handle(self, *args, **options):
        setup = editorial_setup()
        self.stdout.write(f"Rubriques : {', '.join(s.title for s in setup.sections.values())}")
        self.stdout.write(f"Circuit de validation : {setup.workflow.name}")
