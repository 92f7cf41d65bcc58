"""Participant text is untrusted: every page and pushed fragment escapes it."""

from types import SimpleNamespace

from app.live import render
from app.web import pages

EVIL = '<img src=x onerror=alert(1)><script>alert(2)</script><b hx-get="/f">x</b>'


def test_autoescape_is_on_for_every_template():
    from pathlib import Path

    root = Path(pages.env.loader.searchpath[0])
    names = [str(p.relative_to(root)) for p in root.rglob("*.html")]
    assert len(names) >= 8
    for name in names:
        assert pages.env.autoescape(name) is True, name


def _note(**kw):
    base = dict(id=1, text=EVIL, category="social", group_id=None, hidden=False, edited=False,
                merged_into_id=None, source="participant", client_key="k" * 16)
    return SimpleNamespace(**{**base, **kw})


def test_board_fragment_shows_markup_as_text():
    activity = SimpleNamespace(id=1, position=1, kind="postits", title=EVIL, state="open",
                               config={"prompt": EVIL, "categories": ["social"], "live": True})
    column = SimpleNamespace(name="social", items=[_note()])
    ctx = dict(workshop=SimpleNamespace(title=EVIL, join_code="ABCDEF", board_key="k"),
               activity=activity, activities=[activity], columns=[column], visible=True, count=1,
               groups={}, merged_counts={}, state_labels={"open": "ouverte"}, present=0)
    html = render("board", "board-main", ctx)
    assert "<script>" not in html and "<img" not in html and 'hx-get="/f"' not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_participant_note_fragment_escapes():
    html = pages.env.get_template("activities/postits/_note.html").render(note=_note())
    assert "<script>" not in html and "&lt;script&gt;" in html
