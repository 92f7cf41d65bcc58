"""app/deltas.py against its definition: for any fragment and any change of it, the frame it
computes, applied as htmx applies it (tests/htmx_swaps.py), gives what the new version shows;
and the frames are small where they should be (a note appended, a count changed)."""

import copy
import random

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from app.deltas import Shown, changes, parse
from tests.htmx_swaps import apply, canonical

# Elements an HTML parser nests as written (a <p> or an <li> would be closed by a sibling).
TAGS = ["div", "ul", "span", "section"]
WORDS = ["", " ", "\n  ", "Mobilité", "x", " 3 ", "<b>", "é"]


def random_tree(rng: random.Random, ids: list[str], depth: int = 0) -> etree._Element:
    element = etree.Element(rng.choice(TAGS))
    if ids and rng.random() < 0.6:
        element.set("id", ids.pop())
    if rng.random() < 0.3:
        element.set("class", rng.choice(["a", "b", "note is-hidden"]))
    element.text = rng.choice(WORDS)
    for _ in range(rng.randrange(0, 5 if depth < 3 else 1)):
        child = random_tree(rng, ids, depth + 1)
        child.tail = rng.choice(WORDS)
        element.append(child)
    return element


def mutate(rng: random.Random, root: etree._Element, fresh: list[str]) -> None:
    """One change of the kinds a board sees: a note appended, a text (inside or after an
    element) or a class changed, an element removed, moved or inserted in the middle."""
    elements = list(root.iter())
    target = rng.choice(elements)
    what = rng.choice(["append", "append", "text", "tail", "class", "remove", "move", "insert"])
    if what in ("append", "insert"):
        tag = "li" if target.tag == "ul" else "div"
        child = etree.Element(tag, id=fresh.pop()) if fresh else etree.Element(tag)
        child.text, child.tail = rng.choice(WORDS), rng.choice(["\n  ", "", " "])
        if what == "append" or not len(target):
            target.append(child)
        else:
            target.insert(rng.randrange(len(target)), child)
    elif what == "text":
        target.text = rng.choice(WORDS) + "!"
    elif what == "tail":  # most telling between the notes of a list
        listed = [e for e in elements if e.get("id") and e is not root and e.getparent().get("id")]
        rng.choice(listed or [target]).tail = rng.choice(WORDS) + "?"
    elif what == "class":
        target.set("class", "changed")
    elif target is not root and what == "remove":
        target.getparent().remove(target)
    elif target is not root and what == "move":
        target.getparent().remove(target)
        rng.choice(list(root.iter())).append(target)


def html_of(element: etree._Element) -> str:
    return lxml.html.tostring(element, encoding="unicode", with_tail=False)


@settings(max_examples=1000, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 4))
def test_the_frame_applied_as_htmx_does_gives_the_new_version(seed, steps):
    rng = random.Random(seed)
    ids = [f"k{i}" for i in range(12)]
    rng.shuffle(ids)
    root = random_tree(rng, ids)
    root.set("id", "board-main")
    old = html_of(root)
    new_root = copy.deepcopy(root)
    fresh = [f"n{i}" for i in range(steps)]
    for _ in range(steps):
        mutate(rng, new_root, fresh)
    new = html_of(new_root)
    before, after = parse(old), parse(new)
    if before is None or after is None:  # duplicate ids, no root id: sent whole
        return
    frame = changes(before, after)
    if frame is None:  # the whole fragment is sent
        return
    page = lxml.html.fromstring(f"<html><body>{old}</body></html>")
    apply(page, frame)
    assert canonical(page.get_element_by_id("board-main")) == canonical(
        lxml.html.fragment_fromstring(new)), (old, new, frame)


BOARD = """<main id="board-main"><h1>Idées</h1>
  <section><h2>Social <span id="col-0-count">{n}</span></h2>
    <ul id="col-0-notes">{notes}
    </ul></section></main>"""


def board(texts: list[str]) -> str:
    notes = "".join(f'\n      <li id="note-{i}">{t}</li>' for i, t in enumerate(texts))
    return BOARD.format(n=len(texts), notes=notes)


def test_a_new_note_is_appended_and_its_count_replaced_not_the_board():
    screen = Shown()
    texts = [f"Idée numéro {i} " * 5 for i in range(40)]
    assert screen.frame("board-main", board(texts)) == board(texts)  # the first version whole
    frame = screen.frame("board-main", board([*texts, "Une de plus"]))
    assert frame == ('<span id="col-0-count">41</span><div hx-swap-oob="beforeend:#col-0-notes">'
                     '<li id="note-40">Une de plus</li>\n    </div>')
    assert screen.frame("board-main", board([*texts, "Une de plus"])) == ""  # nothing changed
    # A note edited: that note only; a note removed: the column (its run does not begin the old).
    edited = [*texts[:3], "Corrigée", *texts[4:], "Une de plus"]
    assert screen.frame("board-main", board(edited)) == '<li id="note-3">Corrigée</li>'
    removed = screen.frame("board-main", board(edited[1:]))
    assert removed.startswith('<span id="col-0-count">40</span><ul id="col-0-notes">')


def test_what_cannot_be_shown_exact_is_sent_whole():
    screen = Shown()
    screen.frame("board-main", board(["a", "b"]))
    other_step = board(["a", "b"]).replace("<h1>Idées</h1>", "<h1>Vote</h1>")
    assert screen.frame("board-main", other_step) == other_step
    twice = '<main id="board-main"><p id="x">1</p><p id="x">2</p></main>'
    assert parse(twice) is None and screen.frame("board-main", twice) == twice
    assert screen.frame("board-main", "<p>sans id</p>") == "<p>sans id</p>"
