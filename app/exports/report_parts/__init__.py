"""Each activity kind's part of the compte-rendu: one module per kind that has contributions.

A kind's module builds its part from a `Reading` of the activity (`part`) and writes it into the
DOCX (`write_docx`, which imports python-docx on use, as only the DOCX needs it); the PDF prints it
with `app/templates/exports/report/<kind>.html`. The modules are found from the kinds registry: a
kind with contributions has its module here, named after it. `opinion_map` is no kind: its part
follows a rating's or a ranking's (`app.exports.report`).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol, cast

from app.domain.kinds import KINDS
from app.exports.report_base import Reading

if TYPE_CHECKING:
    from docx.document import Document as DocumentType


class ReportPart(Protocol):
    def part(self, reading: Reading) -> Any: ...

    def write_docx(self, doc: "DocumentType", part: Any) -> None: ...


PARTS: dict[str, ReportPart] = {name: cast(ReportPart, import_module(f"{__name__}.{name}"))
                                for name, kind in KINDS.items() if kind.contributions}
