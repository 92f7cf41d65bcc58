"""What htmx's WebSocket extension does with a pushed frame, in lxml, for tests that compare a
screen kept up to date by its pushes with a fresh render: each top-level element is swapped
out of band, by its `hx-swap-oob` (default: replace the element of the same id; `beforeend:#id`:
append the element's content to that element)."""

import re

import lxml.html
from lxml import etree

_SPACES = re.compile(r"\s+")


def apply(page: etree._Element, frame: str) -> None:
    for fragment in lxml.html.fragments_fromstring(frame):
        if not isinstance(fragment, etree._Element):
            continue
        how = fragment.attrib.pop("hx-swap-oob", "true")
        if how == "true":
            found = page.xpath("//*[@id=$id]", id=fragment.get("id"))[0]
            fragment.tail = found.tail
            found.getparent().replace(found, fragment)
        else:
            style, target = how.split(":", 1)
            assert style == "beforeend" and target.startswith("#"), how
            found = page.xpath("//*[@id=$id]", id=target[1:])[0]
            if fragment.text:
                if len(found):
                    found[-1].tail = (found[-1].tail or "") + fragment.text
                else:
                    found.text = (found.text or "") + fragment.text
            for child in list(fragment):
                found.append(child)


def canonical(element: etree._Element) -> str:
    """The element as a browser shows it: attributes in order, whitespace runs as one space."""
    copy = lxml.html.fragment_fromstring(lxml.html.tostring(element, encoding="unicode", with_tail=False))
    for e in copy.iter():
        e.text = _SPACES.sub(" ", e.text) if e.text else None
        e.tail = _SPACES.sub(" ", e.tail) if e.tail else None
        if isinstance(e.tag, str):
            items = sorted(e.attrib.items())
            e.attrib.clear()
            e.attrib.update(items)
    copy.tail = None
    return lxml.html.tostring(copy, encoding="unicode")
