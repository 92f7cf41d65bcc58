"""A batch of join tokens as the facilitator takes it away: cards to print (an HTML page with
its A4 print stylesheet, or the same as PDF by WeasyPrint), or a CSV list. Made from the clear
tokens of a batch just generated: they are stored by digest only, so this is their one showing."""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from app import i18n, rendering
from app.assets import assets
from app.domain import join_tokens
from app.domain.errors import N_, NotFound
from app.exports.names import download_name
from app.exports.qr import qr_svg
from app.exports.tabular import to_csv
from app.models import Workshop

STYLESHEET = "join_cards.css"
FORMATS = {"page": "text/html; charset=utf-8", "pdf": "application/pdf",
           "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class Card:
    token: str
    url: str

    @property
    def spelled(self) -> str:
        return join_tokens.spelled(self.token)

    @property
    def qr(self) -> str:
        return qr_svg(self.url)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound(N_("Format de jetons inconnu : « %(format)s ». Formats : %(formats)s."),
                       format=fmt[:20], formats="page, pdf, csv")
    return fmt


def cards_html(workshop: Workshop, cards: Sequence[Card], join_url: str, inline_css: str = "") -> str:
    return rendering.render("exports/join_cards.html", {"workshop": workshop, "cards": cards,
                                                         "join_url": join_url, "inline_css": inline_css})


def export(workshop: Workshop, tokens: Sequence[str], join_url: str, fmt: str) -> tuple[bytes, str]:
    """(content, file name) of a batch; `join_url` is the workshop's join page, each card's link
    that page with its token."""
    cards = [Card(t, f"{join_url}?jeton={quote(t)}") for t in tokens]
    if fmt == "csv":
        data = to_csv([i18n.gettext("Jeton"), i18n.gettext("Lien")], [[c.spelled, c.url] for c in cards])
    elif fmt == "pdf":
        # WeasyPrint is slow to load: only when a PDF is asked for. Nothing is fetched while printing.
        from weasyprint import HTML, URLFetcher

        html = cards_html(workshop, cards, join_url, assets()[STYLESHEET].body.decode())
        data = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    else:
        data = cards_html(workshop, cards, join_url).encode()
    ext = "html" if fmt == "page" else fmt
    return data, download_name("jetons", workshop.title, ext)
