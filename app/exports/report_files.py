"""The compte-rendu as a file: what the routes and the command line call."""

from sqlmodel import Session

from app.domain.errors import N_, NotFound
from app.exports.names import download_name
from app.exports.report import collect
from app.models import Workshop

FORMATS = ("pdf", "docx")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report_export(session: Session, workshop: Workshop, fmt: str,
                  include_names: bool = False) -> tuple[bytes, str, str]:
    """For the routes and the command line: (content, file name, media type); `fmt`: pdf or docx."""
    if fmt not in FORMATS:
        raise NotFound(N_("Format de compte-rendu inconnu : « %(format)s ». Formats : %(formats)s."),
                       format=fmt[:20], formats="pdf, docx")
    report = collect(session, workshop, include_names)
    # The writers import WeasyPrint or python-docx, slow to load: only when a report is asked for.
    if fmt == "pdf":
        from app.exports.report_pdf import report_pdf

        data = report_pdf(report)
    else:
        from app.exports.report_docx import report_docx

        data = report_docx(report)
    suffix = "-avec-noms" if include_names else ""
    return data, download_name("compte-rendu", workshop.title, fmt, suffix), MEDIA_TYPES[fmt]
