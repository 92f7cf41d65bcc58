"""Static files on a real server: pages link them at their version, a versioned address is kept a
year, an unversioned one is revalidated by its ETag (304), gzip when asked, nothing outside
app/static/."""

import gzip
import re
from pathlib import Path

import httpx

import app

STATIC = Path(app.__file__).parent / "static"


def test_pages_link_versioned_static_files_that_are_cached_and_gzipped(server, room):
    ws, alice = room["ws"], room["alice"]
    pages = [httpx.get(f"{server.url}/").text, alice.client.get(f"/p/{ws['code']}").text,
             httpx.get(f"{server.url}/b/{ws['board_key']}").text]
    linked = sorted({u for page in pages for u in re.findall(r'(?:href|src)="(/static/[^"]+)"', page)})
    assert len(linked) >= 6 and all(re.search(r"\?v=[0-9a-f]{12}$", u) for u in linked), linked
    for address in linked:
        name = address.split("?")[0].removeprefix("/static/")
        r = httpx.get(server.url + address, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200, address
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        body = (STATIC / name).read_bytes()
        assert r.headers["content-encoding"] == "gzip" and r.content == body  # httpx unzipped it
        assert r.num_bytes_downloaded == len(gzip.compress(body, compresslevel=9, mtime=0))

    plain = httpx.get(f"{server.url}/static/app.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    assert "content-encoding" not in plain.headers
    assert plain.content == (STATIC / "app.js").read_bytes()
    again = httpx.get(f"{server.url}/static/app.js", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    stale = httpx.get(f"{server.url}/static/app.js?v=000000000000")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"


def test_nothing_but_the_static_files_is_served(server):
    for address in ("/static/../config.py", "/static/%2e%2e/config.py", "/static/nope.js",
                    "/static/", "/static/kinds", "/static/app.js/x"):
        assert httpx.get(server.url + address).status_code == 404, address
    assert httpx.post(f"{server.url}/static/app.js").status_code == 404


def test_every_page_names_its_icon_and_the_browsers_guess_finds_it(server):
    home = httpx.get(f"{server.url}/").text
    link = r'<link rel="icon" href="(/static/favicon\.svg\?v=[0-9a-f]{12})" type="image/svg\+xml">'
    (icon,) = re.findall(link, home)
    answer = httpx.get(server.url + icon)
    assert answer.headers["content-type"] == "image/svg+xml" and answer.content.startswith(b"<svg")
    guess = httpx.get(f"{server.url}/favicon.ico")
    assert guess.status_code == 301 and guess.headers["location"] == icon


def test_pages_and_fragments_are_gzipped_and_documents_are_not_gzipped_again(server, room):
    ws, alice, fac = room["ws"], room["alice"], room["fac"]
    zipped = {"Accept-Encoding": "gzip"}
    for page in (f"/j/{ws['code']}", "/confidentialite", f"/b/{ws['board_key']}"):
        r = httpx.get(server.url + page, headers=zipped)
        assert r.status_code == 200 and r.headers["content-encoding"] == "gzip", page
        assert r.num_bytes_downloaded < len(r.content) / 2, page  # httpx unzipped it
    page = alice.client.get(f"/p/{ws['code']}", headers=zipped)
    assert page.headers["content-encoding"] == "gzip" and "p-activity" in page.text
    # A phone that does not take gzip gets the page as it is.
    plain = httpx.get(f"{server.url}/j/{ws['code']}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.num_bytes_downloaded == len(plain.content)
    # An office document is a zip already: sent as it is.
    docx = fac.client.get(f"/f/workshops/{ws['id']}/compte-rendu.docx", headers=zipped)
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert "content-encoding" not in docx.headers
