"""File names of downloads: ASCII, lower case, from a title (« Atelier d'Évry » → atelier-d-evry)."""

import re
import unicodedata

MAX_SLUG = 60


def slug(title: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:MAX_SLUG].rstrip("-")


def download_name(prefix: str, title: str, ext: str, suffix: str = "") -> str:
    """« enjeux-12-priorisation-des-enjeux.csv »: safe in a Content-Disposition header as is."""
    middle = slug(title)
    return f"{prefix}{'-' + middle if middle else ''}{suffix}.{ext}"


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a browser save the file under that name."""
    return {"content-disposition": f'attachment; filename="{filename}"'}
