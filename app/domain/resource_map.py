"""The resource map of a chantier (seeds 001 and 004): resources by category, and their links.

Pure code: what a valid resource is, and where the map draws each thing. The chantier sits in
the centre; the categories are stacked in two columns, left and right; a line joins the chantier
to each resource: solid when the resource already operates, dotted when it is known but not yet
linked, none when there is no link.
"""

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.errors import N_, DomainError
from app.domain.workshop_templates import RESOURCE_LINK_STATES

MAX_NAME = 120
MAX_NOTE = 280
DEFAULT_STATE = "aucune"
LINE_STYLES: dict[str, str | None] = {"operante": "solid", "connue-sans-lien": "dotted", "aucune": None}
STATE_LABELS = {key: label for key, (label, _legend) in RESOURCE_LINK_STATES.items()}


def _plain(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def clean_name(raw: str) -> str:
    name = _plain(raw)
    if not name:
        raise DomainError(N_("Donnez le nom de la ressource."))
    if len(name) > MAX_NAME:
        raise DomainError(N_("Le nom de la ressource fait %(length)s caractères ; %(most)s au maximum."),
                          length=len(name), most=MAX_NAME)
    return name


def name_key(name: str) -> str:
    """Two names that differ only by case or spacing are the same resource."""
    return _plain(name).casefold()[:MAX_NAME]


def clean_note(raw: str) -> str:
    note = _plain(raw)
    if len(note) > MAX_NOTE:
        raise DomainError(N_("La précision fait %(length)s caractères ; %(most)s au maximum."),
                          length=len(note), most=MAX_NOTE)
    return note


def check_state(raw: str) -> str:
    state = raw.strip()
    if state not in RESOURCE_LINK_STATES:
        choices = ", ".join(f"{k} ({label})" for k, label in STATE_LABELS.items())
        raise DomainError(N_("État de lien inconnu : « %(state)s ». Choix : %(choices)s."),
                          state=raw[:30], choices=choices)
    return state


def check_category(raw: str, categories: Sequence[str]) -> str:
    category = raw.strip()
    if category not in categories:
        raise DomainError(
            f"Catégorie inconnue : « {raw[:40]} ». Choix : {', '.join(categories)}."
        )
    return category


# ---------------------------------------------------------------- layout

WIDTH, HEIGHT = 1400, 800
MARGIN = 16
NODE_W = 380
CENTER_W, CENTER_PAD = 330, 18
LEGEND_H = 118
HEADER_H = 40
CLUSTER_GAP = 22
CHAR_W = 0.58  # average glyph width, in font sizes (a conservative estimate for sans-serif)
LABEL_FONT, LABEL_MIN_FONT, BOLD_W = 26, 19, 1.08  # a long category's label shrinks to fit its column
BADGE_H, BADGE_DIGIT_W, BADGE_PAD = 30, 13, 12


@dataclass(frozen=True)
class MapResource:
    id: int
    name: str
    category: str
    state: str


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: "Box") -> bool:
        return not (self.right <= other.x or other.right <= self.x
                    or self.bottom <= other.y or other.bottom <= self.y)


@dataclass(frozen=True)
class Node:
    resource: MapResource
    box: Box
    lines: tuple[str, ...]
    style: str | None


@dataclass(frozen=True)
class Link:
    resource_id: int
    style: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Cluster:
    category: str
    index: int
    side: str  # "left" or "right"
    header: Box
    nodes: list[Node] = field(default_factory=list)
    total: int = 0
    more: Box | None = None  # "+ N autres" when the category has more than the map can show
    # The count's badge sits at the column's outer edge and the label beside it, cut to the
    # column's width: lines reach the column's inner edge only, so they never cross either.
    badge: Box | None = None
    label: str = ""
    label_font: float = LABEL_FONT

    @property
    def hidden_count(self) -> int:
        return self.total - len(self.nodes)


@dataclass(frozen=True)
class Density:
    font: float
    max_lines: int
    gap: float

    @property
    def line_h(self) -> float:
        return round(self.font * 1.2, 1)

    @property
    def pad(self) -> float:
        return round(self.font * 0.45, 1)


# From roomy to tight: the map takes the first one at which every resource fits.
DENSITIES = (Density(24, 3, 10), Density(22, 2, 8), Density(20, 1, 6), Density(18, 1, 4))


@dataclass
class MapLayout:
    width: int
    height: int
    center: Box
    center_lines: tuple[str, ...]
    center_font: float
    density: Density
    clusters: list[Cluster]
    links: list[Link]
    legend: Box

    @property
    def nodes(self) -> list[Node]:
        return [n for c in self.clusters for n in c.nodes]


def wrap(text: str, chars: int, max_lines: int) -> tuple[str, ...]:
    """Words on lines of at most `chars` characters; the last line shown ends with … if cut."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > chars:  # a very long word is cut
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:chars])
            word = word[chars:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], (last[: chars - 1].rstrip(" ,;:.-") + "…")]
    return tuple(lines) or ("",)


def _chars(width: float, font: float) -> int:
    return max(4, int(width / (font * CHAR_W)))


def _node_h(lines: int, d: Density) -> float:
    return lines * d.line_h + 2 * d.pad


def _column_height(groups: list[list[MapResource]], d: Density) -> float:
    chars = _chars(NODE_W - 2 * d.pad, d.font)
    total = 0.0
    for members in groups:
        total += HEADER_H + CLUSTER_GAP
        for r in members:
            total += _node_h(len(wrap(r.name, chars, d.max_lines)), d) + d.gap
    return total


def layout(chantier: str, categories: Sequence[str], resources: Sequence[MapResource]) -> MapLayout:
    """Where the map draws the chantier, each category and resource, and each line."""
    by_cat: dict[str, list[MapResource]] = {c: [] for c in categories}
    for r in resources:
        by_cat.setdefault(r.category, []).append(r)
    names = list(by_cat)
    sides = {"left": names[0::2], "right": names[1::2]}
    usable = HEIGHT - 2 * MARGIN

    def fits(d: Density) -> bool:
        return all(_column_height([by_cat[c] for c in cats], d) <= usable + CLUSTER_GAP
                   for cats in sides.values())

    density = next((d for d in DENSITIES if fits(d)), DENSITIES[-1])
    clusters: list[Cluster] = []
    for side, cats in sides.items():
        clusters.extend(_place_column(side, cats, by_cat, names, density))

    center_font = 30.0
    center_chars = _chars(CENTER_W - 2 * CENTER_PAD, center_font)
    center_lines = wrap(chantier, center_chars, 5)
    center_h = 40 + len(center_lines) * center_font * 1.2 + 2 * CENTER_PAD
    center = Box((WIDTH - CENTER_W) / 2, (HEIGHT - LEGEND_H - center_h) / 2, CENTER_W, center_h)
    legend = Box(NODE_W + MARGIN + 40, HEIGHT - MARGIN - LEGEND_H,
                 WIDTH - 2 * (NODE_W + MARGIN + 40), LEGEND_H)
    links = [_link(center, c.side, n) for c in clusters for n in c.nodes if n.style]
    return MapLayout(WIDTH, HEIGHT, center, center_lines, center_font, density, clusters, links,
                     legend)


def _place_column(side: str, cats: list[str], by_cat: dict[str, list[MapResource]],
                  order: list[str], d: Density) -> list[Cluster]:
    x = MARGIN if side == "left" else WIDTH - MARGIN - NODE_W
    chars = _chars(NODE_W - 2 * d.pad, d.font)
    usable = HEIGHT - 2 * MARGIN
    needed = _column_height([by_cat[c] for c in cats], d) - CLUSTER_GAP
    # Leftover height spreads the categories apart; a full column is packed from the top.
    spare = max(0.0, usable - needed)
    gap = CLUSTER_GAP + (spare / (len(cats) - 1) if len(cats) > 1 else 0)
    y = MARGIN + (spare / 2 if len(cats) == 1 else 0)
    # Too many resources even at the tightest density: each category gets a share of the column.
    share = usable / max(1, len(cats)) - CLUSTER_GAP
    overfull = needed > usable
    out: list[Cluster] = []
    for cat in cats:
        members = by_cat[cat]
        cluster = Cluster(cat, order.index(cat), side, Box(x, y, NODE_W, HEADER_H), total=len(members))
        badge_w = 2 * BADGE_PAD + BADGE_DIGIT_W * len(str(len(members)))
        cluster.badge = Box(x if side == "left" else x + NODE_W - badge_w, y + (HEADER_H - BADGE_H) / 2 - 2,
                            badge_w, BADGE_H)
        room = NODE_W - badge_w - 10
        fitting = math.floor(10 * room / (max(1, len(cat)) * CHAR_W * BOLD_W)) / 10
        cluster.label_font = max(LABEL_MIN_FONT, min(LABEL_FONT, fitting))
        if fitting >= LABEL_MIN_FONT:
            cluster.label = cat
        else:
            cluster.label = wrap(cat, _chars(room, LABEL_MIN_FONT * BOLD_W), 1)[0]
        top = y
        y += HEADER_H
        limit = top + share if overfull else math.inf
        for n, r in enumerate(members):
            lines = wrap(r.name, chars, d.max_lines)
            h = _node_h(len(lines), d)
            remaining = len(members) - n
            reserve = (_node_h(1, d) + d.gap) if remaining > 1 else 0
            if y + h + reserve > limit:
                cluster.more = Box(x, y, NODE_W, _node_h(1, d))
                y += _node_h(1, d) + d.gap
                break
            cluster.nodes.append(Node(r, Box(x, y, NODE_W, h), lines, LINE_STYLES.get(r.state)))
            y += h + d.gap
        out.append(cluster)
        y = (top + share + CLUSTER_GAP) if overfull else (y - d.gap + gap)
    return out


def _link(center: Box, side: str, node: Node) -> Link:
    """From the chantier's side facing the resource to the resource's inner edge.

    Lines leave the chantier spread along its edge (in the order of the resources), so they fan
    out instead of meeting in one point.
    """
    inset = 14.0
    span = center.h / 2 - inset
    offset = (node.box.cy - HEIGHT / 2) / (HEIGHT / 2) * span
    y1 = min(center.bottom - inset, max(center.y + inset, center.cy + offset))
    if side == "left":
        x1, x2 = center.x, node.box.right
    else:
        x1, x2 = center.right, node.box.x
    assert node.style is not None
    return Link(node.resource.id, node.style, round(x1, 1), round(y1, 1), round(x2, 1),
                round(node.box.cy, 1))
