"""The two pictures of the docs site, as inline SVG: the lineage and the star's ER diagram.

Every node is a ``<g class="node" data-node=...>`` and every edge a ``<path class="edge"
data-from=... data-to=...>``, so the browser tests (and anyone scripting the site) can
count what was drawn.  Sizes come from the labels' lengths: no text is ever scaled down,
a large pipeline makes a larger picture that the page scrolls.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from engine.docs.layout import Box, layered

if TYPE_CHECKING:
    from engine.config import StarTable
    from engine.lineage import Lineage

#: average advance of the 13px sans-serif font the stylesheet sets, with a little slack
CHAR = 7.6
#: the same for the bold names (wide letters such as "m" and "w" make some names wider than average)
BOLD = 8.6
ROW = 18.0
HEADER = 28.0

_MIN_LAYER = {"source": 0, "staging": 1, "fact": 2, "dimension": 2, "query": 3, "check": 3}
_KIND_LABEL = {
    "source": "source",
    "staging": "staging",
    "fact": "fact",
    "dimension": "dimension",
    "query": "query",
    "check": "check",
}


def _curve(points: list[tuple[float, float]]) -> str:
    """A smooth path through ``points``, leaving and entering each one horizontally."""
    (x, y), rest = points[0], points[1:]
    d = f"M{x:.1f},{y:.1f}"
    for nx, ny in rest:
        dx = (nx - x) / 2
        d += f" C{x + dx:.1f},{y:.1f} {nx - dx:.1f},{ny:.1f} {nx:.1f},{ny:.1f}"
        x, y = nx, ny
    return d


def _arrow_defs() -> str:
    return (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'
    )


def lineage_svg(graph: Lineage, href: dict[str, str], title: str = "lineage") -> str:
    """The lineage left to right: sources, staging, star, queries; a node links to its page."""
    boxes = []
    for n in graph.nodes:
        sub = _subtitle(n.kind, len(n.checks))
        boxes.append(Box(n.id, 28 + max(BOLD * len(n.name), CHAR * 0.85 * len(sub)), 42, _MIN_LAYER[n.kind]))
    layout = layered(boxes, [(e.src, e.dst) for e in graph.edges], layer_gap=70)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram lineage" id="lineage-svg" role="img" '
        f'width="{layout.width:.0f}" height="{layout.height:.0f}" '
        f'viewBox="0 0 {layout.width:.0f} {layout.height:.0f}"><title>{escape(title)}</title>',
        _arrow_defs(),
    ]
    for e in graph.edges:
        route = layout.routes.get((e.src, e.dst))
        if route:
            out.append(
                f'<path class="edge" data-from="{escape(e.src)}" data-to="{escape(e.dst)}" '
                f'd="{_curve(route)}" marker-end="url(#arrow)"/>'
            )
    for n, box in zip(graph.nodes, boxes, strict=True):
        x, y = layout.at[n.id]
        link = href.get(n.id)
        body = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" rx="6"/>'
            f'<text x="{x + 12:.1f}" y="{y + 18:.1f}" class="name">{escape(n.name)}</text>'
            f'<text x="{x + 12:.1f}" y="{y + 33:.1f}" class="sub">{escape(_subtitle(n.kind, len(n.checks)))}'
            f"</text>"
        )
        if link:
            body = f'<a href="{escape(link)}">{body}</a>'
        tip = f"{n.kind} {n.name}" + (f" — checks: {', '.join(n.checks)}" if n.checks else "")
        out.append(f'<g class="node kind-{n.kind}" data-node="{escape(n.id)}"><title>{escape(tip)}</title>{body}</g>')
    out.append("</svg>")
    return "".join(out)


def _subtitle(kind: str, checks: int) -> str:
    label = _KIND_LABEL[kind]
    return f"{label} · {checks} check{'s' if checks != 1 else ''}" if checks else label


def er_svg(tables: list[StarTable], href: dict[str, str]) -> str:
    """Facts on the left, the dimensions they reference to the right; an edge per foreign key,
    from the referencing column's row to the referenced key's row."""
    width: dict[str, float] = {}
    boxes = []
    for t in tables:
        longest = max(
            [BOLD * len(t.name) + CHAR * (len(t.kind) + 3)]
            + [BOLD * len(c.name) + CHAR * (len(c.type) + 5) for c in t.columns]
        )
        width[t.name] = 40 + longest
        boxes.append(Box(t.name, width[t.name], HEADER + ROW * len(t.columns) + 6))
    names = {t.name for t in tables}
    links = [(t.name, fk.table) for t in tables for fk in t.foreign_keys if fk.table in names and fk.table != t.name]
    layout = layered(boxes, links, layer_gap=110, node_gap=26)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram er" id="er-svg" role="img" '
        f'width="{layout.width:.0f}" height="{layout.height:.0f}" '
        f'viewBox="0 0 {layout.width:.0f} {layout.height:.0f}"><title>star schema</title>',
        _arrow_defs(),
    ]
    by_name = {t.name: t for t in tables}

    def row_y(table: str, column: str) -> float:
        cols = [c.name for c in by_name[table].columns]
        index = cols.index(column) if column in cols else 0
        return layout.at[table][1] + HEADER + ROW * index + ROW / 2 + 2

    for t in tables:
        for fk in t.foreign_keys:
            parent = by_name.get(fk.table)
            if parent is None:
                continue
            ref = fk.ref_column or parent.primary_key[0]
            sx, _ = layout.at[t.name]
            tx, _ = layout.at[parent.name]
            start = (sx + width[t.name], row_y(t.name, fk.column))
            end = (tx, row_y(parent.name, ref))
            if parent.name == t.name:  # a self-reference: a loop on the right-hand side
                loop = start[0] + 40
                d = (
                    f"M{start[0]:.1f},{start[1]:.1f} C{loop:.1f},{start[1]:.1f} {loop:.1f},{end[1]:.1f} "
                    f"{start[0]:.1f},{end[1]:.1f}"
                )
            else:
                middle = layout.routes.get((t.name, parent.name), [])[1:-1]
                d = _curve([start, *middle, end])
            out.append(
                f'<path class="edge fk" data-from="{escape(t.name)}.{escape(fk.column)}" '
                f'data-to="{escape(parent.name)}.{escape(ref)}" d="{d}" marker-end="url(#arrow)"/>'
            )
    for t in tables:
        x, y = layout.at[t.name]
        w = width[t.name]
        h = HEADER + ROW * len(t.columns) + 6
        fks = {fk.column for fk in t.foreign_keys}
        parts = [
            f'<rect class="table" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="5"/>',
            f'<rect class="header" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{HEADER:.1f}" rx="5"/>',
            f'<text x="{x + 10:.1f}" y="{y + 19:.1f}" class="name">{escape(t.name)}</text>',
            f'<text x="{x + w - 10:.1f}" y="{y + 19:.1f}" class="role" text-anchor="end">{t.kind}</text>',
        ]
        for i, c in enumerate(t.columns):
            cy = y + HEADER + ROW * i + ROW / 2 + 6
            key = "PK" if c.name in t.primary_key else "FK" if c.name in fks else ""
            cls = "col pk" if key == "PK" else "col fk" if key else "col"
            parts.append(
                f'<text x="{x + 10:.1f}" y="{cy:.1f}" class="key">{key}</text>'
                f'<text x="{x + 34:.1f}" y="{cy:.1f}" class="{cls}">{escape(c.name)}</text>'
                f'<text x="{x + w - 10:.1f}" y="{cy:.1f}" class="type" text-anchor="end">'
                f"{escape(c.type)}</text>"
            )
        body = "".join(parts)
        link = href.get(t.name)
        if link:
            body = f'<a href="{escape(link)}">{body}</a>'
        out.append(f'<g class="node role-{t.kind}" data-node="{escape(t.name)}">{body}</g>')
    out.append("</svg>")
    return "".join(out)
