"""Downloads of a roadmap: GET /f/roadmaps/{id}/export.{docx,odt,pdf,md,json,xlsx}, owner only.

Another facilitator's roadmap, an unknown roadmap and an unknown format are all « introuvable »
(404). The file is an attachment with a safe ASCII name (`feuille-de-route-grand-perigueux.pdf`)
and, for browsers that read it, the roadmap's own name in UTF-8 (RFC 6266, RFC 5987).
"""

import re
from urllib.parse import quote

from fastapi import APIRouter, Response

from app.exports.names import attachment
from app.exports.roadmap_files import roadmap_export
from app.services import roadmaps
from app.web import FacilitatorDep, SessionDep

router = APIRouter()

_NOT_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
MAX_NAME = 120


def readable_name(title: str, filename: str) -> str:
    """« Feuille de route du Grand Périgueux.pdf »: the title without what file systems refuse,
    with the extension (and suffix) of the ASCII `filename`."""
    stem, _, ext = filename.rpartition(".")
    suffix = " - actions" if stem.endswith("-actions") else ""
    name = " ".join(_NOT_IN_NAMES.sub(" ", title).split())[:MAX_NAME].strip(" .") or stem
    return f"{name}{suffix}.{ext}"


def disposition(filename: str, title: str) -> dict[str, str]:
    header = attachment(filename)
    header["content-disposition"] += f"; filename*=UTF-8''{quote(readable_name(title, filename), safe='')}"
    return header


@router.get("/f/roadmaps/{roadmap_id}/export.{fmt}")
def export_roadmap(roadmap_id: int, fmt: str, me: FacilitatorDep, session: SessionDep) -> Response:
    roadmap = roadmaps.get_owned(session, me.id, roadmap_id)
    content, filename, media_type = roadmap_export(session, roadmap, fmt)
    return Response(content, media_type=media_type, headers=disposition(filename, roadmap.name))
