"""The restitutions' charts in a real browser, on a desktop and on a 375 px phone: each chart
has a visible title, and no label is cut: every text of an SVG lies within its viewport, none
runs over a bar, and a long agent name or lateness reason is written whole (wrapped).
Screenshots: test-artifacts/screenshots/restitutions-charts-{bureau,375}.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services as case_services
from cases.workflow import State
from kinds.service_done.models import LatenessReason
from kinds.service_done.tests.test_services import draft, in_progress
from portal.models import Role
from tests.factories import member, working_days_ago

from .conftest import DESKTOP, MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = ("Marie-Geneviève", "de La Rochefoucauld-Vandenberghe")

# For each chart: its heading's text, its texts (label lines joined), and what is wrong.
CHARTS = """() => [...document.querySelectorAll('svg.dashboard-chart')].map(svg => {
  const box = svg.viewBox.baseVal;
  const shown = svg.getBoundingClientRect();
  const heading = svg.previousElementSibling;
  const visible = heading && heading.matches('h2, h3, h4, h5, h6')
    && heading.getBoundingClientRect().height > 0 ? heading.textContent.trim() : null;
  const rects = [...svg.querySelectorAll('rect')].map(r => r.getBBox());
  const problems = [];
  const texts = [];
  for (const text of svg.querySelectorAll(':scope > text, :scope > g > text')) {
    const b = text.getBBox();
    const content = [...text.childNodes].filter(n => n.nodeName !== 'title')
      .map(n => n.textContent).join(' ');
    texts.push(content);
    if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
        || b.y + b.height > box.y + box.height + 0.5) {
      const where = JSON.stringify([b.x, b.y, b.width, b.height]);
      problems.push(`hors du cadre : « ${content} » ${where}`);
    }
    for (const r of rects) {
      if (b.x < r.x + r.width && r.x < b.x + b.width
          && b.y < r.y + r.height && r.y < b.y + b.height) {
        problems.push(`sur une barre : « ${content} »`);
      }
    }
  }
  const fontPx = 13 * shown.width / box.width;
  return {id: svg.id, heading: visible, texts, problems, right: shown.right, fontPx};
})"""


@pytest.fixture
def restitutions_data(make_purchase_request, sp_agent, ordonnateur, csp_agent, csp):
    """Open cases of an agent with a long name, some overdue; a statement filed late for the
    supplier's reason (the longest label)."""
    long_named = member(csp, Role.CSP_AGENT, first_name=LONG_NAME[0], last_name=LONG_NAME[1])
    weeks_ago = timezone.now() - timedelta(days=30)
    for at in (weeks_ago, weeks_ago, None):
        make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=long_named, at=at)
    done = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                 at=weeks_ago)
    case_services.transition(case=done, action="complete", actor=csp_agent,
                             ej_number="1000000021", at=weeks_ago + timedelta(days=1))
    refused = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                    at=weeks_ago)
    case_services.transition(case=refused, action="reject", actor=csp_agent, comment="Devis",
                             anomaly="non_compliant_quote", at=weeks_ago + timedelta(days=1))
    ej = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                               ordonnateur=ordonnateur).purchase_request
    in_progress(draft(sp_agent, ej, "1", delivered_on=working_days_ago(9), reason="supplier"),
                sp_agent, ordonnateur, csp_agent)


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "bureau"), (MOBILE, "375")])
def test_every_chart_has_a_title_and_whole_labels(log_in, shot, a11y, csp_head,
                                                  restitutions_data, viewport, name):
    page = log_in(csp_head, viewport=viewport)
    page.goto("/restitutions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Restitutions")
    shot(page, f"restitutions-charts-{name}")

    charts = page.evaluate(CHARTS)

    # The four of volumes and delays, the anomalies' two, the invoices' late-payment cost.
    assert len(charts) == 7
    for chart in charts:
        assert chart["heading"], f"{chart['id']} : pas de titre visible"
        assert not chart["problems"], f"{chart['id']} ({name}) : {chart['problems']}"
        assert chart["right"] <= viewport["width"], f"{chart['id']} dépasse l'écran"
        # Legible on a phone, not blown up on a desktop.
        assert 11 <= chart["fontPx"] <= 14, f"{chart['id']} : texte de {chart['fontPx']:.1f} px"
    written = {chart["id"]: " ".join(chart["texts"]).replace(" ", "") for chart in charts}
    assert " ".join(LONG_NAME).replace(" ", "") in written["chart-wip"]
    assert str(LatenessReason.SUPPLIER.label).replace(" ", "") in written["chart-late"]
    assert "Devisnonconforme1" in written["chart-anomaly-types"]
    a11y(page, f"restitutions-charts-{name}")
