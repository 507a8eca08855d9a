"""The decision letters' placeholders: what editors may type in a letter, checked at publication.

A placeholder is written between double braces, spaces allowed: « {{ reference }} » for a
fact of the case, « {{ champ:Objet de la demande }} » for the answer to the form's field of
that label (case and spacing ignored). The letters are stored as Wagtail rich text (HTML); a
placeholder must be typed as plain text, without bold or a link inside its braces.

Filling them in (and drawing the PDF) is the decisions app's job: the core only knows the
names, so that a page whose letter names an unknown placeholder cannot be published.
"""

import html
import re

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .schema import input_items

# {{ name }}: no brace and no tag inside (a placeholder half in bold is refused, not guessed).
PLACEHOLDER = re.compile(r"\{\{([^{}<>]*)\}\}")
FIELD_PREFIX = "champ:"

# Name -> what it stands for, in the order the editors' help lists them.
CASE_PLACEHOLDERS = {
    "reference": gettext_lazy("référence du dossier"),
    "objet": gettext_lazy("objet de la demande"),
    "formulaire": gettext_lazy("titre du formulaire"),
    "demandeur": gettext_lazy("nom de l'auteur de la demande"),
    "service": gettext_lazy("service prescripteur"),
    "centre": gettext_lazy("centre de services partagés"),
    "date_depot": gettext_lazy("date de dépôt"),
    "date_decision": gettext_lazy("date de la décision"),
    "agent": gettext_lazy("agent qui a pris la décision"),
    "motif": gettext_lazy("motif ou commentaire de la décision"),
}

LETTER_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


def letters_help() -> str:
    names = ", ".join(f"{{{{ {name} }}}}" for name in CASE_PLACEHOLDERS)
    return _("Champs de fusion, remplacés dans le PDF signé : %(names)s ; la réponse à un champ "
             "du formulaire s'écrit {{ champ:Libellé du champ }}. Tapez-les sans mise en "
             "forme à l'intérieur des accolades. Laissé vide : aucun courrier.") % {
        "names": names}


LETTERS_HELP = lazy(letters_help, str)()


def normalize(name: str) -> str:
    """How names and labels are compared: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


def field_name(name: str) -> str | None:
    """The label named by a « champ:… » placeholder (normalized), None for a case fact."""
    if normalize(name).startswith(FIELD_PREFIX):
        return normalize(normalize(name)[len(FIELD_PREFIX):])
    return None


def placeholder_names(text: str) -> list[str]:
    """The placeholders of a text (plain text, or HTML whose entities are read), as typed."""
    return [" ".join(html.unescape(match).split()) for match in PLACEHOLDER.findall(text)]


def answer_labels(schema: dict) -> dict[str, str]:
    """Normalized label -> label, for the schema's input fields."""
    return {normalize(item["label"]): item["label"] for item in input_items(schema)
            if item.get("label")}


class LetterError(ValueError):
    """A letter names something unknown; the message says what and lists what is known."""


def check_letter(text: str, schema: dict) -> None:
    """Refuse (LetterError) a letter with an unknown placeholder or a broken one."""
    if not text:
        return
    labels = answer_labels(schema)
    unknown = []
    for name in placeholder_names(text):
        label = field_name(name)
        known = (label in labels) if label is not None else normalize(name) in CASE_PLACEHOLDERS
        if not known and name not in unknown:
            unknown.append(name)
    known_names = [f"{{{{ {name} }}}}" for name in CASE_PLACEHOLDERS]
    known_names += [f"{{{{ {FIELD_PREFIX}{label} }}}}" for label in labels.values()]
    if unknown:
        raise LetterError(_("Champ(s) de fusion inconnu(s) : %(unknown)s. Champs connus : "
                            "%(known)s.") % {
            "unknown": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
            "known": ", ".join(known_names)})
    leftover = PLACEHOLDER.sub("", html.unescape(re.sub(r"<[^>]*>", "", text)))
    if "{{" in leftover or "}}" in leftover or len(PLACEHOLDER.findall(text)) != len(
            PLACEHOLDER.findall(html.unescape(re.sub(r"<[^>]*>", "", text)))):
        raise LetterError(_("Un champ de fusion est mal écrit (accolades incomplètes ou mise "
                            "en forme à l'intérieur des accolades) : retapez-le en texte "
                            "simple, par exemple {{ reference }}."))
