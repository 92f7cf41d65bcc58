"""What changed in a screen's fragment since the version that screen last received.

A board or control page is re-rendered whole (`board-main`) at most once per push interval;
sending it whole costs every screen the whole board for one new note. Instead each such screen
remembers the version it was last sent and gets the frame of htmx out-of-band swaps that turns it
into the new one, where that can be shown to be exact, and the whole fragment otherwise.

The elements that carry an id form a tree (an element's *keyed children* are its outermost
descendants with an id). The elements with an id that end their parent make its *run* (the
notes of a column). An element's *core* is its HTML with its keyed children written as empty
stand-ins, its run left out, and whitespace runs written as one space (the browser shows them
alike). Going down from the fragment's root, an element whose HTML is unchanged is left alone;
one whose core is unchanged and whose old run begins its new run keeps its place: its keyed
children are compared in turn and its new run's end is appended (`beforeend`); any other
element is replaced whole by its id. Nothing is sent when nothing changed; a screen that
(re)connects has no previous version and is sent the whole fragment first.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import lxml.html
from lxml import etree

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Node:
    id: str
    core: str
    children: dict[str, "Node"]
    run: list["Node"]
    html: str
    html_and_tail: str  # what is appended: the element and the text after it
    tail: str  # the text after it, whitespace runs as one space


def _space(text: str | None) -> str:
    return _SPACES.sub(" ", text) if text else ""


def _keyed_below(element: etree._Element) -> list[etree._Element]:
    found: list[etree._Element] = []
    stack = list(reversed(element))
    while stack:
        child = stack.pop()
        if isinstance(child.tag, str) and child.get("id"):
            found.append(child)
        elif isinstance(child.tag, str):
            stack.extend(reversed(child))
    return found


def _run(element: etree._Element) -> list[etree._Element]:
    run: list[etree._Element] = []
    for child in reversed(element):
        if not isinstance(child.tag, str) or not child.get("id"):
            break
        run.insert(0, child)
    if run and run[-1].tail and run[-1].tail.strip():
        return []  # text after it: not a plain list
    return run


def _core(element: etree._Element, run: set[str], top: bool = True) -> str:
    attributes = "".join(f" {k}={v!r}" for k, v in sorted(element.attrib.items()))
    parts = [f"<{element.tag}{attributes}>", _space(element.text)]
    for child in element:
        key = child.get("id") if isinstance(child.tag, str) else None
        if key and top and key in run:
            continue  # its tail goes with it
        if key:
            parts.append(f"<k {key!r}>")
        elif isinstance(child.tag, str):
            parts.append(_core(child, run, top=False))
        parts.append(_space(child.tail))
    parts.append(f"</{element.tag}>")
    return "".join(parts)


def _node(element: etree._Element) -> Node:
    run = _run(element)
    in_run = {e.get("id", "") for e in run}
    return Node(
        id=element.get("id", ""),
        core=_core(element, in_run),
        children={e.get("id", ""): _node(e) for e in _keyed_below(element)
                  if e.get("id") not in in_run},
        run=[_node(e) for e in run],
        html=lxml.html.tostring(element, encoding="unicode", with_tail=False),
        html_and_tail=lxml.html.tostring(element, encoding="unicode", with_tail=True),
        tail=_space(element.tail),
    )


def parse(html: str) -> Node | None:
    """A fragment's tree of ids; None unless it has one root element with an id, and its ids
    name one element each (a swap by id must find the element it means)."""
    try:
        roots = lxml.html.fragments_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    if len(roots) != 1 or not isinstance(roots[0], etree._Element) or not roots[0].get("id"):
        return None
    ids = [e.get("id") for e in roots[0].iter() if isinstance(e.tag, str) and e.get("id")]
    if len(set(ids)) != len(ids):
        return None
    return _node(roots[0])


def _kept(old: Node, new: Node, out: list[str]) -> bool:
    """Append to `out` what turns `old` into `new` in place; False if it cannot stay in place."""
    kept = new.run[:len(old.run)]
    if new.core != old.core or [(n.id, n.tail) for n in kept] != [(n.id, n.tail) for n in old.run]:
        return False
    for key, child in new.children.items():
        _bring(old.children[key], child, out)
    for before, after in zip(old.run, new.run, strict=False):
        _bring(before, after, out)
    added = new.run[len(old.run):]
    if added:
        out.append(f'<div hx-swap-oob="beforeend:#{new.id}">'
                   f'{"".join(n.html_and_tail for n in added)}</div>')
    return True


def _bring(old: Node, new: Node, out: list[str]) -> None:
    if old.html != new.html and not _kept(old, new, out):
        out.append(new.html)


def changes(old: Node, new: Node) -> str | None:
    """The frame that turns `old` into `new` on a screen ("" if equal); None: send it whole."""
    out: list[str] = []
    if old.html != new.html and not _kept(old, new, out):
        return None
    return "".join(out)


@lru_cache(maxsize=16)  # screens that see the same view share one parse of each new version
def _parsed(html: str) -> Node | None:
    return parse(html)


class Shown:
    """What one screen was last sent, fragment by fragment."""

    def __init__(self) -> None:
        self._last: dict[str, Node] = {}

    def frame(self, fragment_id: str, html: str) -> str:
        """What to send for this new version of a fragment ("" when the screen already shows it)."""
        new = _parsed(html)
        old = self._last.pop(fragment_id, None)
        if new is None:
            return html
        self._last[fragment_id] = new
        if old is None:
            return html
        frame = changes(old, new)
        return html if frame is None else frame
