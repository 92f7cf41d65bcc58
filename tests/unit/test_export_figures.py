"""The board's figures as standalone SVG (for the reports): well-formed XML with its own style,
participant text escaped, and drawable by CairoSVG."""

import xml.etree.ElementTree as ET

from app.domain.resource_map import STATE_LABELS
from app.exports.figures import resource_map_svg, to_png
from app.models import ResourceLink
from app.screens.resources import ResourceMap

SVG = "{http://www.w3.org/2000/svg}"


def _map(names: list[tuple[str, str, str]]) -> ResourceMap:
    links = [ResourceLink(id=n, activity_id=1, category=c, name=name, name_key=name.lower(), state=s)
             for n, (name, c, s) in enumerate(names, start=1)]
    return ResourceMap("Un chantier <b>&</b> « ses » ressources", ["partenaires", "financements"], links)


def test_resource_map_stands_alone_with_its_style_and_escaped_text() -> None:
    svg = resource_map_svg(_map([("Caf <script>", "financements", "operante"),
                                 ("Mairie", "partenaires", "connue-sans-lien"),
                                 ("Région", "financements", "aucune")]), STATE_LABELS)
    root = ET.fromstring(str(svg))  # well-formed XML, in the SVG namespace
    assert root.tag == f"{SVG}svg"
    style = root.find(f"{SVG}style")
    assert style is not None and ".rm-node rect" in style.text and "var(" not in style.text
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "Caf <script>" in texts and "<b>&</b>" in texts  # text, not markup
    assert "<script>" not in str(svg)
    lines = root.findall(f".//{SVG}line[@data-resource]")
    assert len(lines) == 2  # opérante and connue sans lien; none for « aucune »


def test_png_of_a_figure() -> None:
    svg = resource_map_svg(_map([("Mairie", "partenaires", "operante")]), STATE_LABELS)
    png = to_png(str(svg), width=600)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == 600
