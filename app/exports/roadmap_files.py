"""A roadmap as a file, in each format: what the routes and the command line call."""

from sqlmodel import Session

from app.domain import roadmap as domain
from app.domain.errors import N_, NotFound
from app.exports.names import download_name
from app.models import Roadmap
from app.services import roadmaps

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(MEDIA_TYPES)
FILE_PREFIX = "feuille-de-route"


def _unknown(fmt: str) -> NotFound:
    return NotFound(N_("Format d'export inconnu : « %(format)s ». Formats : %(formats)s."), format=fmt[:20],
                    formats=", ".join(FORMATS))


def _to_json(data: domain.RoadmapFile) -> bytes:
    return domain.dump_file(data).encode("utf-8")


def write(data: domain.RoadmapFile, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, media type) of the roadmap in `fmt` (one of `FORMATS`)."""
    # Writers are imported on use: odfdo and WeasyPrint load slowly.
    if fmt == "docx":
        from app.exports.roadmap_docx import to_docx as writer
    elif fmt == "odt":
        from app.exports.roadmap_odt import to_odt as writer
    elif fmt == "pdf":
        from app.exports.roadmap_pdf import to_pdf as writer
    elif fmt == "md":
        from app.exports.roadmap_md import to_md as writer
    elif fmt == "xlsx":
        from app.exports.roadmap_actions import to_xlsx as writer
    elif fmt == "json":
        writer = _to_json
    else:
        raise _unknown(fmt)
    suffix = "-actions" if fmt == "xlsx" else ""
    return writer(data), download_name(FILE_PREFIX, data.territory.name, fmt, suffix), MEDIA_TYPES[fmt]


def roadmap_export(session: Session, roadmap: Roadmap, fmt: str) -> tuple[bytes, str, str]:
    """The roadmap as stored, in `fmt`: what the routes and the command line call."""
    if fmt not in MEDIA_TYPES:
        raise _unknown(fmt)
    return write(roadmaps.to_file(session, roadmap), fmt)
