"""The ranked enjeux of a workshop (the result of a ranking activity) as CSV, XLSX, ODS or JSON.

The order, scores, ballots and agreement are those of `app.services.rankings.result` (the board's
and the control page's): nothing is aggregated again here. Each enjeu also names the items it
came from: a ranking's item may have been copied from an earlier activity (`Item.origin_id`, e.g.
a rating's item, itself copied from a post-it), and any item may be the merge of several
originals (`Item.merged_into_id` pointing at it). Following both links back gives the post-its
the room actually wrote.

The first two parts are pure functions (no web, no database access); the last one reads the
database: `enjeux_export` is what the routes and the command line call.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app import i18n
from app.domain.errors import N_, NotAllowed, NotFound
from app.domain.provenance import source_items
from app.exports import tabular
from app.exports.names import download_name
from app.models import Activity
from app.screens.ranking import spoken
from app.services import rankings, workshops
from app.services.items import links_of_workshop

SOURCE_JOINER = " ; "
FORMATS = ("csv", "csv-comma", "xlsx", "ods", "json")
SCORE_HEADERS = {
    "borda": N_("score (méthode de Borda : points)"),
    "schulze": N_("score (méthode de Schulze : enjeux battus)"),
    "dots": N_("score (vote par points : points reçus)"),
    "majority": N_("score (jugement majoritaire : mention majoritaire)"),
}
JSON_FORMAT, JSON_VERSION = "cap-partage/enjeux", 1


# ---------------------------------------------------------------- pure: provenance and rows


def join_sources(texts: Iterable[str]) -> str:
    """The source texts in one cell, each once, in order."""
    return SOURCE_JOINER.join(dict.fromkeys(t for t in texts if t))


@dataclass(frozen=True)
class Enjeu:
    rank: int
    text: str
    score: int | float | str | None
    score_label: str
    tied: bool
    kept: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Ranked:
    """A ranking activity's result, ready to be written."""

    workshop_id: int
    workshop_title: str
    activity_id: int
    activity_title: str
    method: str
    method_label: str
    n_ballots: int
    n_stale: int
    agreement: float | None
    agreement_label: str | None
    keep: int
    enjeux: tuple[Enjeu, ...]


def headers(ranked: Ranked) -> list[str]:
    score = (i18n.translate(SCORE_HEADERS[ranked.method]) if ranked.method in SCORE_HEADERS
             else i18n.gettext("score (%(method)s)", method=ranked.method_label))
    return [i18n.gettext("rang"), i18n.gettext("enjeu"), score, i18n.gettext("bulletins"),
            i18n.gettext("accord (W de Kendall)"), i18n.gettext("niveau d'accord"),
            i18n.gettext("éléments sources"), i18n.gettext("retenu")]


def rows(ranked: Ranked) -> list[list[tabular.Cell]]:
    # Read with two decimals, as on the board; spreadsheets keep the exact value behind them.
    w = None if ranked.agreement is None else tabular.Fixed(ranked.agreement, 2)
    return [[e.rank, e.text, e.score, ranked.n_ballots, w, ranked.agreement_label or "",
             join_sources(e.sources), e.kept] for e in ranked.enjeux]


def as_json(ranked: Ranked) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "atelier": {"id": ranked.workshop_id, "titre": ranked.workshop_title},
        "activite": {"id": ranked.activity_id, "titre": ranked.activity_title},
        "methode": {"code": ranked.method, "libelle": ranked.method_label},
        "bulletins": ranked.n_ballots,
        "bulletins_a_revalider": ranked.n_stale,
        "accord": {"w_de_kendall": ranked.agreement, "niveau": ranked.agreement_label},
        "enjeux_a_garder": ranked.keep,
        "enjeux": [{"rang": e.rank, "enjeu": e.text, "score": e.score, "score_libelle": e.score_label,
                    "ex_aequo": e.tied, "retenu": e.kept, "elements_sources": list(e.sources)}
                   for e in ranked.enjeux],
    }


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
}


def write(ranked: Ranked, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, media type) of the ranked enjeux in one of `FORMATS`."""
    if fmt not in FORMATS:
        raise NotFound(N_("Format d'export inconnu : « %(format)s ». Formats : %(formats)s."),
                       format=fmt[:20], formats="csv, xlsx, ods, json")
    ext = "csv" if fmt.startswith("csv") else fmt
    suffix = "-virgules" if fmt == "csv-comma" else ""
    name = download_name(f"enjeux-{ranked.activity_id}", ranked.workshop_title, ext, suffix)
    if fmt == "json":
        return tabular.to_json(as_json(ranked)), name, MEDIA_TYPES[ext]
    head, body = headers(ranked), rows(ranked)
    title = i18n.gettext("%(workshop)s — %(activity)s : enjeux classés", workshop=ranked.workshop_title,
                         activity=ranked.activity_title)
    if ext == "csv":
        data = tabular.to_csv(head, body, sep="," if fmt == "csv-comma" else ";")
    elif ext == "xlsx":
        data = tabular.to_xlsx(head, body, i18n.gettext("Enjeux classés"), title)
    else:
        data = tabular.to_ods(head, body, i18n.gettext("Enjeux classés"), title)
    return data, name, MEDIA_TYPES[ext]


# ---------------------------------------------------------------- reading the database


def ranked_of(session: Session, activity: Activity) -> Ranked:
    """The ranking activity's result with each enjeu's sources."""
    if activity.kind != "ranking":
        raise NotAllowed(N_("« %(title)s » n'est pas un classement : seul un classement a des enjeux classés "
                            "à exporter."), title=activity.title)
    workshop = workshops.get(session, activity.workshop_id)
    result = spoken(rankings.result(session, activity))  # its labels in the reader's language
    links = links_of_workshop(session, activity.workshop_id)
    enjeux = tuple(
        Enjeu(rank=row.rank, text=row.item.text, score=row.value, score_label=row.score,
              tied=row.tied, kept=row.item.kept,
              sources=tuple(s.text for s in source_items(row.item.id, links)))
        for row in result.rows)
    return Ranked(
        workshop_id=workshop.id, workshop_title=workshop.title, activity_id=activity.id,
        activity_title=activity.title, method=result.method, method_label=result.method_label,
        n_ballots=result.n_ballots, n_stale=result.n_stale, agreement=result.agreement,
        agreement_label=result.agreement_label, keep=result.keep, enjeux=enjeux)


def enjeux_export(session: Session, activity: Activity, fmt: str) -> tuple[bytes, str, str]:
    """For the routes and the command line: (content, file name, media type).

    `fmt`: csv (« ; », French spreadsheets), csv-comma (« , »), xlsx, ods or json.
    """
    if fmt not in FORMATS:
        raise NotFound(N_("Format d'export inconnu : « %(format)s ». Formats : %(formats)s."),
                       format=fmt[:20], formats="csv, xlsx, ods, json")
    return write(ranked_of(session, activity), fmt)
