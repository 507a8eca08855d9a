"""Which templates draw form widgets: Django's own everywhere, django-dsfr's for the portal's
forms.

FORM_RENDERER stays Django's default because Wagtail's admin is drawn with it: its
multiple-choice lists put each box inside its label, one option per line. django-dsfr's
widget templates put the box before its label, for the DSFR stylesheet to lay out; set as the
global renderer they leaked into the admin, where each box of a convention's « Services
prescripteurs » was drawn at the end of the previous service's line.

The portal's forms derive from django-dsfr's DsfrBaseForm, which picks django-dsfr's renderer
by itself when FORM_RENDERER is Django's, but builds a new one (a template engine, whose
templates are parsed again) for every form: ~50 ms per form instead of ~5. CommonConfig.ready
gives DsfrBaseForm this shared instance instead; a formset of DSFR forms names it too, since a
formset hands its own renderer to its forms.
"""

from dsfr.forms import DsfrDjangoTemplates

DSFR_RENDERER = DsfrDjangoTemplates()


def use_shared_dsfr_renderer() -> None:
    from dsfr.forms import DsfrBaseForm

    DsfrBaseForm.default_renderer = DSFR_RENDERER
