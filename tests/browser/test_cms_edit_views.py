"""The Wagtail admin as an editor sees it: on the edit view of every page type, each checkbox
and radio button sits on its own label's line.

The portal's DSFR form templates once leaked into the admin (a global FORM_RENDERER): in a
convention's « Services prescripteurs » each box was drawn at the end of the previous
service's line, so the editor read DIRM and DRAAF where DRAAF and DREAL were ticked."""

import pytest
from playwright.sync_api import expect
from wagtail.models import get_page_models

from conventions.demo_content import seed_content
from conventions.services import editorial_setup
from portal.models import Role
from tests.factories import CentreFactory, PrescribingServiceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every visible checkbox or radio, measured against the labels on the page (a label wrapping
# its input is at distance 0). An option of a group (several boxes of one name: « Services
# prescripteurs », a radio list) must sit on its own label's line, and no other label may be
# nearer to it: a box drawn at the end of the previous option's line fails both. A lone box
# may sit under its field's label (Wagtail draws a boolean so), but no other label above it
# or on its line may be nearer than its own.
MISPLACED_CHOICES = """() => {
    const visible = el => el.offsetParent !== null && el.getBoundingClientRect().height > 0;
    const inputs = [...document.querySelectorAll(
        'main input[type=checkbox], main input[type=radio]')].filter(visible);
    const labels = [...document.querySelectorAll('main label')].filter(visible);
    const apart = (a, b) => Math.hypot(
        Math.max(0, a.left - b.right, b.left - a.right),
        Math.max(0, a.top - b.bottom, b.top - a.bottom));
    return inputs.map(input => {
        const box = input.getBoundingClientRect();
        const middle = box.top + box.height / 2;
        const own = [...input.labels].filter(visible);
        const option = input.type === 'radio'
            || inputs.filter(other => other.name === input.name).length > 1;
        const ownRects = own.map(label => label.getBoundingClientRect());
        const ownDistance = Math.min(...ownRects.map(rect => apart(box, rect)));
        const nearer = labels.filter(label => !own.includes(label))
            .filter(label => option || label.getBoundingClientRect().top <= middle)
            .filter(label => apart(box, label.getBoundingClientRect()) < ownDistance)
            .map(label => label.textContent.trim());
        const onItsLine = ownRects.some(rect => rect.top - 2 <= middle
                                                && middle <= rect.bottom + 2);
        const ok = own.length > 0 && nearer.length === 0 && (!option || onItsLine);
        return {name: input.name, value: input.value, checked: input.checked, option,
                label: own.map(label => label.textContent.trim()).join(' | '),
                nearer, ok};
    }).filter(choice => !choice.ok);
}"""

CHOICES_ON_PAGE = """() => [...document.querySelectorAll(
        'main input[type=checkbox], main input[type=radio]')]
    .filter(input => input.offsetParent !== null).length"""


def one_page_of_each_type():
    """The demo's pages (conventions with their parties, annexes, job descriptions,
    procedure sheets, the catalogue and its forms) and the site's own pages."""
    centres = {code: CentreFactory(code=code, name=f"Centre {code}")
               for code in ("CSPEST", "CSPOUEST")}
    services = dict(centres)
    # The demo's names: long enough for the list of parties to wrap, as it did when reported.
    for code, centre, name in (
            ("DIRM", "CSPOUEST", "Direction interrégionale de la mer Nord Atlantique-Manche "
                                 "Ouest"),
            ("DRAAF", "CSPEST", "Direction régionale de l'alimentation, de l'agriculture et "
                                "de la forêt Grand Est"),
            ("DREAL", "CSPEST", "Direction régionale de l'environnement, de l'aménagement et "
                                "du logement Grand Est"),
            ("DDT", "CSPOUEST", "Direction départementale des territoires de Maine-et-Loire")):
        services[code] = PrescribingServiceFactory(code=code, name=name,
                                                   processing_centre=centres[centre])
    editorial = editorial_setup()
    seed_content(editorial, services)
    return editorial, services


def test_every_page_types_checkboxes_and_radios_sit_on_their_labels_line(log_in, shot):
    from wagtail.models import Page, Site

    editorial, services = one_page_of_each_type()
    editor = member(services["DRAAF"], Role.SP_AGENT, username="editrice")
    editor.groups.add(editorial.editors)
    site_root = Site.objects.get(is_default_site=True).root_page
    pages = {}
    for page in Page.objects.descendant_of(site_root, inclusive=True).specific():
        pages.setdefault(type(page), page)
    creatable = {model for model in get_page_models() if model.is_creatable}
    assert creatable <= set(pages), (
        f"types de page sans exemple à contrôler : {creatable - set(pages)}")

    cms = log_in(editor)
    measured = 0
    for model, page in sorted(pages.items(), key=lambda item: item[0].__name__):
        cms.goto(f"/cms/pages/{page.pk}/edit/")
        expect(cms.get_by_role("heading", level=1)).to_contain_text(page.title)
        name = f"cms-edition-{model._meta.app_label}-{model._meta.model_name}"
        tabs = cms.locator("main [role=tab]")
        for index in range(max(tabs.count(), 1)):
            if tabs.count():
                tabs.nth(index).click()
            measured += cms.evaluate(CHOICES_ON_PAGE)
            misplaced = cms.evaluate(MISPLACED_CHOICES)
            shot(cms, f"{name}-{index}")
            assert not misplaced, (
                f"{model.__name__} (/cms/pages/{page.pk}/edit/, onglet {index}) : cases hors "
                f"de la ligne de leur libellé {misplaced}")
    # The convention's parties are among the boxes measured: the reported case.
    assert measured >= len(services)


def test_an_editor_finds_their_work_and_anyone_the_documentation_and_mandatory_pages(
        log_in, look, new_context, sp):
    from django.conf import settings

    editorial = editorial_setup()
    editor = member(sp, Role.SP_AGENT, username="redacteur")
    editor.groups.add(editorial.editors)

    home = log_in(editor)
    expect(home.get_by_role("heading", name="Contenus du portail")).to_be_visible()
    look(home, "accueil-editeur")
    home.get_by_role("link", name="Ouvrir l'espace des éditeurs").click()
    expect(home.get_by_role("heading", level=1)).to_contain_text(settings.WAGTAIL_SITE_NAME)

    visitor = new_context(viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto("/pages/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Documentation du portail")
    expect(visitor.get_by_role("link", name="Conventions de service")).to_be_visible()
    look(visitor, "documentation-accueil")
    for label, title, name in (
            ("Accessibilité : non conforme", "Déclaration d'accessibilité", "accessibilite"),
            ("Mentions légales", "Mentions légales", "mentions-legales"),
            ("Données personnelles", "Données personnelles", "donnees-personnelles")):
        visitor.get_by_role("contentinfo").get_by_role("link", name=label).click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
        look(visitor, f"page-{name}")
