"""Where an item came from: a ranking's item may have been copied from an earlier activity
(`origin_id`, e.g. a rating's item, itself copied from a post-it), and any item may be the merge
of several originals (`merged_into_id` pointing at it). Following both links back gives the
post-its the room actually wrote."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemLink:
    """What provenance needs of an item: its text and where it points."""

    id: int
    text: str
    origin_id: int | None
    merged_into_id: int | None


def source_items(item_id: int, items: Mapping[int, ItemLink]) -> list[ItemLink]:
    """The items an item came from, followed back to the end: the originals merged into it and
    the item it was copied from, recursively, in id order. An item with neither has no sources."""
    originals: dict[int, list[int]] = {}
    for link in items.values():
        if link.merged_into_id is not None:
            originals.setdefault(link.merged_into_id, []).append(link.id)

    found: dict[int, ItemLink] = {}
    seen: set[int] = set()

    def walk(current: int) -> None:
        if current in seen or current not in items:
            return
        seen.add(current)
        parents = sorted(originals.get(current, []))
        origin = items[current].origin_id
        if origin is not None and origin in items:
            parents.append(origin)
        if not parents:
            found[current] = items[current]
            return
        for parent in parents:
            walk(parent)

    walk(item_id)
    found.pop(item_id, None)
    return [found[i] for i in sorted(found)]
