"""The workshop report as PDF: a Jinja2 HTML page with its own print stylesheet, by WeasyPrint.

The page is self-contained (inlined stylesheet, inline SVG figures); the URL fetcher allows no
protocol at all, so nothing is ever fetched while printing, whatever a text contains.
"""

from weasyprint import HTML, URLFetcher

from app.exports.report import Report, report_html


def report_pdf(report: Report) -> bytes:
    document = HTML(string=report_html(report), url_fetcher=URLFetcher(allowed_protocols=()))
    # PDF/UA: a tagged PDF (headings, tables, figures with their SVG <title> as alternative text).
    return document.write_pdf(pdf_variant="pdf/ua-1")
