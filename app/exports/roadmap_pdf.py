"""The roadmap as PDF: `exports/roadmap.html` (the blocks of `roadmap_docs.blocks`) by WeasyPrint.

A4, page numbers, headings kept with what follows them, resource maps as inline SVG. The page is
self-contained and the URL fetcher allows no protocol at all, so nothing is ever fetched while
printing, whatever a text contains.
"""

from app import rendering
from app.domain.roadmap import RoadmapFile
from app.exports.roadmap_docs import blocks, labelled, subject


def roadmap_html(data: RoadmapFile) -> str:
    return rendering.render("exports/roadmap.html", {
        "blocks": blocks(data), "title": data.roadmap.name, "subject": subject(data),
        "labelled": labelled})


def to_pdf(data: RoadmapFile) -> bytes:
    from weasyprint import HTML, URLFetcher  # imported on use: WeasyPrint loads slowly

    document = HTML(string=roadmap_html(data), url_fetcher=URLFetcher(allowed_protocols=()))
    # PDF/UA: a tagged PDF (headings, lists, figures with their SVG <title> as alternative text).
    return document.write_pdf(pdf_variant="pdf/ua-1")
