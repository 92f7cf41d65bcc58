"""Workshop exports, one click each from the control page: the ranked enjeux of a ranking
activity (CSV, XLSX, ODS, JSON) and the workshop report (PDF, DOCX).

Owner only. An activity or workshop of another facilitator answers 404, as an unknown one does:
an export link says nothing about what exists. The same functions serve the command line
(`app.exports.enjeux.enjeux_export`, `app.exports.report_files.report_export`).
"""

from fastapi import APIRouter, Response
from sqlmodel import Session

from app.domain.errors import N_, DomainError, Forbidden, NotFound
from app.exports.enjeux import enjeux_export
from app.exports.names import attachment
from app.exports.report_files import report_export
from app.models import Activity, Workshop
from app.services import workshops
from app.web import FacilitatorDep, SessionDep

router = APIRouter()
SEPARATORS = {"semicolon": "csv", "point-virgule": "csv", "comma": "csv-comma", "virgule": "csv-comma"}
# Exports hold what participants wrote: never kept by a shared cache.
NO_STORE = {"cache-control": "no-store"}


def _activity(session: Session, owner_id: int, activity_id: int) -> Activity:
    try:
        return workshops.owned_activity(session, owner_id, activity_id)
    except Forbidden:
        raise NotFound(N_("Activité %(id)s introuvable."), id=activity_id) from None


def _workshop(session: Session, owner_id: int, workshop_id: int) -> Workshop:
    try:
        return workshops.get_owned(session, owner_id, workshop_id)
    except Forbidden:
        raise NotFound(N_("Atelier %(id)s introuvable."), id=workshop_id) from None


def _download(data: bytes, filename: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={**attachment(filename), **NO_STORE})


@router.get("/f/activities/{activity_id}/enjeux.{fmt}")
def ranked_enjeux(activity_id: int, fmt: str, me: FacilitatorDep, session: SessionDep,
                  sep: str = "semicolon") -> Response:
    """The ranked enjeux of a ranking activity: .csv (« ; », or « , » with ?sep=comma), .xlsx,
    .ods or .json."""
    activity = _activity(session, me.id, activity_id)
    if fmt == "csv":
        if sep not in SEPARATORS:
            raise DomainError(N_("Séparateur inconnu : « %(sep)s ». Choix : semicolon (« ; », par défaut) ou "
                                 "comma (« , »)."), sep=sep[:20])
        fmt = SEPARATORS[sep]
    elif fmt not in ("xlsx", "ods", "json"):
        raise NotFound(N_("Format d'export inconnu : « %(format)s ». Formats : %(formats)s."),
                       format=fmt[:20], formats="csv, xlsx, ods, json")
    return _download(*enjeux_export(session, activity, fmt))


@router.get("/f/workshops/{workshop_id}/compte-rendu.{fmt}")
def workshop_report(workshop_id: int, fmt: str, me: FacilitatorDep, session: SessionDep,
                    noms: bool = False) -> Response:
    """The workshop report for participants, .pdf or .docx; names only with ?noms=1."""
    workshop = _workshop(session, me.id, workshop_id)
    if fmt not in ("pdf", "docx"):
        raise NotFound(N_("Format de compte-rendu inconnu : « %(format)s ». Formats : %(formats)s."),
                       format=fmt[:20], formats="pdf, docx")
    return _download(*report_export(session, workshop, fmt, include_names=noms))
