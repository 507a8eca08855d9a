"""A decision letter drawn with reportlab: the editors' rich text, its placeholders filled.

The letter's HTML (Wagtail rich text: paragraphs, h2/h3, bold, italic, lists, links) is read
tag by tag and rewritten as reportlab's paragraph markup made by us alone: every piece of text
— the editors' and, above all, the values put in the placeholders (a requester's answers) —
is escaped on the way, so no value can open a tag, a link or a `<para>` of its own.
"""

from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from documents.pdf.layout import (
    BLUE_FRANCE,
    BODY,
    HEADING,
    TITLE,
    PageFrame,
    build,
    esc,
    facts,
    fr_date,
    para,
)
from documents.pdf.order_form import RenderedPdf, Signatory, parties, signature_block
from forms_catalog.letters import PLACEHOLDER

LETTER_BODY = ParagraphStyle("letter", parent=BODY, fontSize=10, leading=13.5, spaceAfter=2 * mm)
H2 = ParagraphStyle("letter-h2", parent=HEADING, fontSize=12, leading=15)
H3 = ParagraphStyle("letter-h3", parent=HEADING, fontSize=10.5, leading=13,
                    textColor=BLUE_FRANCE)
ITEM = ParagraphStyle("letter-item", parent=LETTER_BODY, leftIndent=6 * mm, bulletIndent=1.5 * mm,
                      spaceAfter=1 * mm)
BLOCKS = {"p": LETTER_BODY, "h2": H2, "h3": H3, "h4": H3, "li": ITEM, "blockquote": LETTER_BODY}
INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i", "u": "u"}
SAFE_SCHEMES = {"http", "https", "mailto"}


def _filled(text: str, value_of: Callable[[str], str]) -> str:
    """Reportlab markup of one text node: the editors' words (reportlab collapses their
    spaces, as HTML does), each placeholder replaced by its value with its line breaks kept;
    everything escaped."""
    out, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        out.append(esc(text[last:match.start()]))
        value = esc(value_of(" ".join(match.group(1).split())))
        out.append(value.replace("\n", "<br/>"))
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def _safe_href(href: str | None) -> str | None:
    if not href:
        return None
    try:
        scheme = urlsplit(href.strip()).scheme.lower()
    except ValueError:
        return None
    return href.strip() if scheme in SAFE_SCHEMES else None


class _LetterParser(HTMLParser):
    """Wagtail rich text -> reportlab flowables."""

    def __init__(self, value_of: Callable[[str], str]):
        super().__init__(convert_charrefs=True)
        self.value_of = value_of
        self.flowables: list = []
        self._parts: list[str] = []
        self._open: list[str] = []  # reportlab tags open in the current paragraph
        self._style = LETTER_BODY
        self._bullet: str | None = None
        self._lists: list[list] = []  # [tag, counter] of the lists we are in

    # paragraphs
    def _flush(self) -> None:
        markup = "".join(self._parts) + "".join(f"</{tag.split()[0]}>"
                                                 for tag in reversed(self._open))
        if markup.replace("<br/>", "").strip():
            self.flowables.append(Paragraph(markup, self._style, bulletText=self._bullet))
        self._parts, self._open = [], []
        self._style, self._bullet = LETTER_BODY, None

    def _open_inline(self, tag: str) -> None:
        self._parts.append(f"<{tag}>")
        self._open.append(tag)

    def _close_inline(self, name: str) -> None:
        if name in [tag.split()[0] for tag in self._open]:
            while self._open:
                tag = self._open.pop().split()[0]
                self._parts.append(f"</{tag}>")
                if tag == name:
                    break

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self._flush()
            self._style = BLOCKS[tag]
            if tag == "li" and self._lists:
                current = self._lists[-1]
                current[1] += 1
                self._bullet = f"{current[1]}." if current[0] == "ol" else "•"
        elif tag in ("ul", "ol"):
            self._flush()
            self._lists.append([tag, 0])
        elif tag == "br":
            self._parts.append("<br/>")
        elif tag in INLINE:
            self._open_inline(INLINE[tag])
        elif tag == "a":
            href = _safe_href(dict(attrs).get("href"))
            if href:
                # Quoted by us: the editor's address cannot close the attribute.
                self._open_inline(f'link href="{esc(href).replace(chr(34), "&quot;")}" '
                                  f'color="#000091"')

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self._parts.append("<br/>")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag in INLINE:
            self._close_inline(INLINE[tag])
        elif tag == "a":
            self._close_inline("link")

    def handle_data(self, data):
        self._parts.append(_filled(data, self.value_of))

    def close(self):
        super().close()
        self._flush()


def letter_story(letter_html: str, value_of: Callable[[str], str]) -> list:
    parser = _LetterParser(value_of)
    parser.feed(letter_html or "")
    parser.close()
    return parser.flowables


def render_decision_letter(case, *, letter_html: str, value_of: Callable[[str], str],
                           accepted: bool, decided_at: datetime, signatory: Signatory | None,
                           issued_at: datetime) -> RenderedPdf:
    signature, box = signature_block(signatory, issued_at)
    decision = _("Demande acceptée") if accepted else _("Demande refusée")
    story = [
        para(_("Décision sur votre demande"), TITLE),
        parties(case),
        Spacer(0, 3 * mm),
        facts([(_("Dossier"), case.reference or "—"),
               (_("Demande"), case.extra.get("procedure_title") or case.subject or "—"),
               (_("Déposée le"), fr_date(case.submitted_at) if case.submitted_at else "—"),
               (_("Décision"), f"{decision} — {fr_date(decided_at)}")]),
        Spacer(0, 5 * mm),
        *letter_story(letter_html, value_of),
        Spacer(0, 6 * mm),
        KeepTogether([signature]),
    ]
    frame = PageFrame(
        header_left=_("Décision — %(ref)s") % {"ref": case.reference},
        header_right=case.processing_centre.name,
        footer_left=_("%(ref)s — document émis par le portail des centres de services "
                      "partagés") % {"ref": case.reference},
    )
    content = build(story, frame, title=_("Décision sur la demande %(ref)s")
                    % {"ref": case.reference}, author=case.processing_centre.name)
    return RenderedPdf(content=content, signature_page=box.page, signature_box=box.box)

