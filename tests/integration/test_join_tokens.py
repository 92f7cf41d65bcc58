"""Single-use join tokens (issue 11, point 4) on a real server: the option refuses the code alone,
a printed token joins once and resumes the same participant afterwards, twenty phones racing
one fresh token make one participant, wrong tokens answer as unknown codes and count towards
the same limit, a batch comes as cards (page, PDF) or CSV, the control page counts who joined
beside each vote's ballots and keeps it live, and a purge deletes the tokens."""

import asyncio
import csv
import html
import io
import re
import subprocess

import httpx
import lxml.html
import pytest
import websockets

from app.domain.join_tokens import MAX_BATCH, normalise
from app.exports.qr import qr_svg
from app.services.join_tokens import TOKENS_REQUIRED
from tests.htmx_swaps import apply
from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server, sql

# A token as printed: two groups of five signs of the join codes' alphabet (no 0/O, 1/I/L).
SPELLED = r"[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}"
TEMPLATE = """\
title: Vote à une voix
activities:
  - kind: text
    title: Bienvenue
  - kind: poll
    title: Le maillage
    prompt: "L'offre d'accompagnement couvre-t-elle tout le territoire ?"
    scale: oui-non-moyennement
  - kind: rating
    title: Les enjeux notés
    items: ["Former les aidants", "Mieux orienter"]
"""


@pytest.fixture
def tokens_server(database_url, broadcast_url, tmp_path):
    sessions = catalog(tmp_path, {"vote-une-voix": TEMPLATE})
    with run_server(database_url, tmp_path, broadcast_url,
                    extra_env=sessions) as srv:
        yield srv


def open_poll(srv) -> tuple[Facilitator, dict, int]:
    fac = Facilitator(srv.url, create_facilitator(srv.database_url))
    ws = fac.create_workshop("vote-une-voix")
    return fac, ws, fac.open_postits(ws["id"], position=1)


def require_tokens(fac: Facilitator, ws: dict, on: bool = True) -> None:
    r = fac.client.post(f"/f/workshops/{ws['id']}/jetons/option", data={"actif": "oui" if on else "non"})
    assert r.status_code == 303, r.text


def batch(fac: Facilitator, ws: dict, n: int) -> list[str]:
    """A new batch of n tokens, as the CSV export gives them (« ABCDE-FGHJK »)."""
    r = fac.client.post(f"/f/workshops/{ws['id']}/jetons", data={"nombre": str(n), "format": "csv"})
    assert r.status_code == 200, r.text
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Jeton", "Lien"]
    return [token for token, _link in rows[1:]]


def phone(srv) -> httpx.Client:
    return httpx.Client(base_url=srv.url, follow_redirects=False, timeout=10, headers={"Origin": srv.url})


def participants_of(srv, ws: dict) -> int:
    return sql(srv.database_url, "SELECT count(*) FROM participant WHERE workshop_id = :w", w=ws["id"])[0][0]


def text_of(markup: str) -> str:
    return " ".join(lxml.html.fromstring(markup).text_content().split())


def test_with_tokens_on_the_code_alone_is_refused_and_a_token_joins(tokens_server):
    srv = tokens_server
    fac, ws, _poll = open_poll(srv)
    early = Participant(srv.url, ws["code"])  # joined with the code before the option
    require_tokens(fac, ws)
    (token,) = batch(fac, ws, 1)

    late = phone(srv)
    refused = late.post(f"/j/{ws['code']}", data={"name": ""})
    assert (refused.status_code, refused.json()) == (403, {"detail": TOKENS_REQUIRED})
    # A browser's form (a navigation) reads it as a page, in French.
    page = late.post(f"/j/{ws['code']}", data={"name": ""},
                     headers={"Accept": "text/html", "Sec-Fetch-Mode": "navigate"})
    assert page.status_code == 403 and TOKENS_REQUIRED in html.unescape(page.text)
    assert participants_of(srv, ws) == 1
    form = late.get(f"/j/{ws['code']}", headers={"Accept": "text/html"}).text
    assert 'name="jeton"' in form and "jeton personnel" in form

    # Typed as on a phone: lower case, the dash left out, a space.
    typed = token.lower().replace("-", " ")
    joined = late.post(f"/j/{ws['code']}", data={"jeton": typed, "name": ""})
    assert joined.status_code == 303 and joined.headers["location"] == f"/p/{ws['code']}"
    assert late.get(f"/p/{ws['code']}").status_code == 200
    # The phone that joined with the code before stays in.
    assert early.client.get(f"/p/{ws['code']}").status_code == 200
    assert participants_of(srv, ws) == 2
    used = sql(srv.database_url, "SELECT count(*) FROM join_token WHERE participant_id IS NOT NULL")
    assert used == [(1,)]
    # Only the digest is stored, never the token.
    stored = sql(srv.database_url, "SELECT digest FROM join_token")
    assert normalise(token) not in {d for (d,) in stored}

    require_tokens(fac, ws, on=False)  # the code alone joins again
    assert phone(srv).post(f"/j/{ws['code']}", data={"name": ""}).status_code == 303


def test_a_token_used_again_resumes_the_same_participant_and_its_one_ballot(tokens_server):
    srv = tokens_server
    fac, ws, poll = open_poll(srv)
    require_tokens(fac, ws)
    token, spare = batch(fac, ws, 2)
    vote = f"/p/{ws['code']}/activities/{poll}/vote"

    first = phone(srv)
    # The card's QR code: its link joins at once.
    assert first.get(f"/j/{ws['code']}?jeton={token}").headers["location"] == f"/p/{ws['code']}"
    assert first.post(vote, data={"choice": "0"}).status_code == 201

    # The same card on a phone without the cookie (cleared, or another phone): the same participant.
    again = phone(srv)
    assert again.post(f"/j/{ws['code']}", data={"jeton": token}).status_code == 303
    assert again.post(vote, data={"choice": "2"}).status_code == 201
    assert participants_of(srv, ws) == 1
    assert sql(srv.database_url, "SELECT value FROM vote WHERE activity_id = :a", a=poll) == [(2,)]
    # The first phone is that participant too: it reads the replaced answer as its own.
    assert first.post(vote, data={"choice": "2"}).status_code == 200
    # A phone already in that opens another card's link stays who it is; that card stays unused.
    assert first.get(f"/j/{ws['code']}?jeton={spare}").headers["location"] == f"/p/{ws['code']}"
    assert participants_of(srv, ws) == 1
    assert sql(srv.database_url, "SELECT count(participant_id) FROM join_token") == [(1,)]


@pytest.mark.storage
def test_twenty_phones_racing_one_fresh_token_make_one_participant(tokens_server):
    srv = tokens_server
    fac, ws, _poll = open_poll(srv)
    require_tokens(fac, ws)
    (token,) = batch(fac, ws, 1)

    async def race() -> list[httpx.AsyncClient]:
        clients = [httpx.AsyncClient(base_url=srv.url, timeout=20) for _ in range(20)]
        answers = await asyncio.gather(*(c.get(f"/j/{ws['code']}?jeton={token}") for c in clients))
        assert [r.status_code for r in answers] == [303] * 20, [r.text for r in answers]
        pages = await asyncio.gather(*(c.get(f"/p/{ws['code']}") for c in clients))
        assert [r.status_code for r in pages] == [200] * 20  # every phone is in...
        for c in clients:
            await c.aclose()
        return clients

    asyncio.run(race())
    assert participants_of(srv, ws) == 1  # ...as one and the same participant
    assert sql(srv.database_url, "SELECT count(*) FROM join_token WHERE participant_id IS NOT NULL") == [(1,)]


@pytest.mark.storage
def test_wrong_tokens_answer_alike_and_count_as_wrong_codes(database_url, broadcast_url, tmp_path):
    sessions = catalog(tmp_path, {"vote-une-voix": TEMPLATE})
    with run_server(database_url, tmp_path, broadcast_url, name="limited",
                    extra_env={**sessions, "JOIN_CODE_LIMITS": "10/minute"}) as srv:
        fac, ws, _poll = open_poll(srv)
        other = fac.create_workshop("vote-une-voix")
        require_tokens(fac, ws)
        revoked, kept = batch(fac, ws, 2)
        used = phone(srv)
        assert used.get(f"/j/{ws['code']}?jeton={kept}").status_code == 303  # before the revocation
        (elsewhere,) = batch(fac, other, 1)
        assert fac.client.post(f"/f/workshops/{ws['id']}/jetons/revoquer").status_code == 303

        guesser = httpx.Client(base_url=srv.url, headers={"Accept": "text/html"})
        answers = {(r.status_code, r.text) for r in (
            guesser.get(f"/j/{ws['code']}?jeton={t}") for t in ("AAAAA-BBBBB", revoked, elsewhere, "x"))}
        (answer,) = answers  # unknown, revoked, another workshop's, garbage: byte for byte alike
        assert answer[0] == 404 and "Jeton inconnu" in html.unescape(answer[1])
        assert guesser.get("/j/ZZZZZZ").status_code == 404  # an unknown code, as they are
        posted = {(r.status_code, r.text) for r in (
            guesser.post(f"/j/{ws['code']}", data={"jeton": t}) for t in (revoked, elsewhere))}
        assert len(posted) == 1 and next(iter(posted))[0] == 404
        # 4 + 1 + 2 misses so far; the limit is 10 a minute: three more, then 429.
        for _ in range(3):
            assert guesser.get(f"/j/{ws['code']}?jeton=CCCCC-DDDDD").status_code == 404
        limited = guesser.get(f"/j/{ws['code']}?jeton={kept}")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert "Trop de codes d'atelier erronés" in html.unescape(limited.text)
        # The phone that used a token is still in, behind the same address as the guesser.
        assert used.get(f"/p/{ws['code']}").status_code == 200


def test_a_closed_workshop_refuses_its_tokens_as_its_code(tokens_server):
    srv = tokens_server
    fac, ws, _poll = open_poll(srv)
    require_tokens(fac, ws)
    fresh, used = batch(fac, ws, 2)
    holder = phone(srv)
    assert holder.get(f"/j/{ws['code']}?jeton={used}").status_code == 303
    assert fac.client.post(f"/f/workshops/{ws['id']}/close").status_code == 303
    unknown = phone(srv).get("/j/YYYYYY")
    for token in (fresh, used):  # used: on a phone that lost its cookie
        closed = phone(srv).get(f"/j/{ws['code']}?jeton={token}")
        assert (closed.status_code, closed.json()["detail"].replace(ws["code"], "CODE")) == \
            (unknown.status_code, unknown.json()["detail"].replace("YYYYYY", "CODE"))
    assert participants_of(srv, ws) == 1


def test_a_batch_out_of_range_or_garbage_is_refused_and_creates_nothing(tokens_server):
    srv = tokens_server
    fac, ws, _poll = open_poll(srv)
    for nombre in ("0", str(MAX_BATCH + 1), "-3", "douze", "", "1e3", "3.5"):
        r = fac.client.post(f"/f/workshops/{ws['id']}/jetons", data={"nombre": nombre, "format": "pdf"})
        assert r.status_code == 422 and r.json()["detail"].startswith("Nombre de jetons"), (nombre, r.text)
    r = fac.client.post(f"/f/workshops/{ws['id']}/jetons", data={"nombre": "3", "format": "docx"})
    assert r.status_code == 404 and "Format de jetons inconnu" in r.json()["detail"]
    r = fac.client.post(f"/f/workshops/{ws['id']}/jetons/option", data={"actif": "peut-être"})
    assert r.status_code == 422 and "oui" in r.json()["detail"]
    assert sql(srv.database_url, "SELECT count(*) FROM join_token") == [(0,)]
    assert sql(srv.database_url, "SELECT tokens_required FROM workshop WHERE id = :w", w=ws["id"]) in (
        [(False,)], [(0,)])
    # Another facilitator's workshop: nothing for her.
    intruder = Facilitator(srv.url, create_facilitator(srv.database_url))
    r = intruder.client.post(f"/f/workshops/{ws['id']}/jetons", data={"nombre": "3", "format": "csv"})
    assert r.status_code in (403, 404)
    assert sql(srv.database_url, "SELECT count(*) FROM join_token") == [(0,)]


def test_the_cards_page_pdf_and_csv_hold_the_batch(tokens_server, tmp_path):
    srv = tokens_server
    fac, ws, _poll = open_poll(srv)
    url = f"/f/workshops/{ws['id']}/jetons"

    page = fac.client.post(url, data={"nombre": "14", "format": "page"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    doc = lxml.html.fromstring(page.text)
    cards = doc.xpath('//article[@class="card"]')
    assert len(cards) == 14
    codes = [c.xpath('string(.//p[@class="card-token"])') for c in cards]
    assert all(re.fullmatch(SPELLED, c) for c in codes) and len(set(codes)) == 14
    # Each card's QR code is its join link, token included (the SVG segno draws for that link).
    for card, code in zip(cards, codes, strict=True):
        (svg,) = card.xpath('.//div[@class="card-qr"]/svg')
        link = f"{srv.url}/j/{ws['code']}?jeton={normalise(code)}"
        assert lxml.html.tostring(svg, encoding="unicode") == lxml.html.tostring(
            lxml.html.fragment_fromstring(qr_svg(link)), encoding="unicode")
    assert all(c.xpath('string(.//p[@class="card-title"])') == "Vote à une voix" for c in cards)

    pdf = fac.client.post(url, data={"nombre": "14", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="jetons-vote-a-une-voix.pdf"'
    path = tmp_path / "jetons.pdf"
    path.write_bytes(pdf.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2\b", info)  # 12 cards an A4 page
    assert "595.276 x 841.89" in info  # A4 in points
    printed = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert len(re.findall(rf"\b{SPELLED}\b", printed)) == 14

    tokens = batch(fac, ws, 9)
    assert len(tokens) == len(set(tokens)) == 9
    # Each link is the card's QR code: it joins with that token.
    assert phone(srv).get(f"/j/{ws['code']}?jeton={tokens[0]}").status_code == 303
    # Three batches of 14, 14 and 9 tokens are stored (one in use).
    assert sql(srv.database_url, "SELECT count(*), count(participant_id) FROM join_token") == [(37, 1)]


def test_the_control_page_counts_joined_beside_ballots_live(tokens_server):
    srv = tokens_server
    fac, ws, poll = open_poll(srv)
    require_tokens(fac, ws)
    tokens = batch(fac, ws, 3)
    control = f"/f/workshops/{ws['id']}"
    headers = {"Origin": srv.url, "Cookie": "; ".join(f"{k}={v}" for k, v in fac.client.cookies.items())}

    def turnout(page: lxml.html.HtmlElement) -> str:
        return " ".join(page.get_element_by_id("ctl-turnout").text_content().split())

    async def watch() -> list[str]:
        seen = []
        socket = f"{srv.ws_url}/ws/control/{ws['id']}"
        async with websockets.connect(socket, additional_headers=headers) as sock:
            page = lxml.html.fromstring(fac.client.get(control).text)

            async def until(wanted: str) -> None:
                while wanted not in turnout(page):
                    apply(page, str(await asyncio.wait_for(sock.recv(), 10)))
                seen.append(turnout(page))

            await until("Le maillage 0 participants ont rejoint · 0 bulletin")
            joined = phone(srv)
            assert joined.get(f"/j/{ws['code']}?jeton={tokens[0]}").status_code == 303
            await until("Le maillage 1 participant a rejoint · 0 bulletin")
            assert "Jetons : 1 utilisé sur 3" in turnout(page)
            vote = joined.post(f"/p/{ws['code']}/activities/{poll}/vote", data={"choice": "1"})
            assert vote.status_code == 201
            await until("Le maillage 1 participant a rejoint · 1 bulletin")
        return seen

    seen = asyncio.run(watch())
    # The rating is counted too, with no ballot yet; no name anywhere.
    assert "Les enjeux notés 1 participant a rejoint · 0 bulletin" in seen[-1]
    # What the pushes built is what a fresh page shows.
    assert turnout(lxml.html.fromstring(fac.client.get(control).text)) == seen[-1]


def test_without_tokens_more_ballots_than_connected_phones_is_flagged(tokens_server):
    srv = tokens_server
    fac, ws, poll = open_poll(srv)
    # Two « people » vote, the second after clearing her cookies: two participants, two ballots,
    # and no phone connected to the live page.
    for choice in ("0", "1"):
        voter = Participant(srv.url, ws["code"])
        vote = voter.client.post(f"/p/{ws['code']}/activities/{poll}/vote", data={"choice": choice})
        assert vote.status_code == 201
    page = text_of(fac.client.get(f"/f/workshops/{ws['id']}").text)
    assert "2 participants ont rejoint · 2 bulletins" in page
    assert "2 bulletins pour 0 téléphones connectés" in page
    assert "Les jetons à usage unique l'empêchent" in page
    require_tokens(fac, ws)
    assert "bulletins pour" not in text_of(fac.client.get(f"/f/workshops/{ws['id']}").text)


def test_a_purge_removes_the_tokens(tokens_server):
    srv = tokens_server
    fac, ws, _poll = open_poll(srv)
    require_tokens(fac, ws)
    tokens = batch(fac, ws, 4)
    assert phone(srv).get(f"/j/{ws['code']}?jeton={tokens[0]}").status_code == 303
    r = fac.client.post(f"/f/workshops/{ws['id']}/purge", data={"confirm": "oui"})
    assert r.status_code == 303
    assert sql(srv.database_url, "SELECT count(*) FROM join_token") == [(0,)]
    # The used card no longer names anyone: it answers as an unknown token.
    assert phone(srv).get(f"/j/{ws['code']}?jeton={tokens[0]}").status_code == 404
    # The privacy notice says what tokens store and when they go.
    notice = text_of(httpx.get(f"{srv.url}/confidentialite").text)
    assert "jetons à usage unique" in notice and "l'empreinte de chaque jeton" in notice
    assert "jetons (ceux des cookies comme ceux des cartes imprimées)" in notice
