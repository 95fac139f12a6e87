"""``etl-engine graph``: the lineage as Mermaid (READMEs), DOT (Graphviz) or an indented tree (terminals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import ConfigError, Issue, Location
from engine.lineage import Lineage, Node, lineage

if TYPE_CHECKING:
    from engine.context import PlannedRun

FORMATS = ("mermaid", "dot", "text")

_MERMAID_SHAPE = {
    "source": ("[/", "/]"),
    "staging": ("[", "]"),
    "fact": ("[[", "]]"),
    "dimension": ("(", ")"),
    "query": ("{{", "}}"),
    "check": ("([", "])"),
}
_DOT_STYLE = {
    "source": 'shape=parallelogram, fillcolor="#e3f8ff"',
    "staging": 'shape=box, fillcolor="#f0f4f8"',
    "fact": 'shape=box, penwidth=2, fillcolor="#fff3c4"',
    "dimension": 'shape=box, fillcolor="#e3f9e5"',
    "query": 'shape=hexagon, fillcolor="#eae2f8"',
    "check": 'shape=note, fillcolor="#fffbea"',
}


def render(plan: PlannedRun, fmt: str, with_checks: bool = False) -> str:
    if fmt not in FORMATS:
        from engine.validate import suggest

        raise ConfigError(
            [
                Issue(
                    f"unknown graph format '{fmt}'",
                    Location(None),
                    suggest(fmt, list(FORMATS)) or f"formats: {', '.join(FORMATS)}",
                )
            ]
        )
    graph = lineage(plan, with_checks)
    return {"mermaid": mermaid, "dot": dot, "text": text}[fmt](graph)


def _mid(node: Node) -> str:
    """Mermaid ids: word characters only, and never a keyword such as ``end``."""
    return node.id.replace(":", "__")


def _label(node: Node) -> str:
    n = len(node.checks)
    checks = f" ({n} check{'s' if n != 1 else ''})" if n else ""
    return f"{node.name}{checks}"


def mermaid(graph: Lineage) -> str:
    lines = ["flowchart LR"]
    for n in graph.nodes:
        left, right = _MERMAID_SHAPE[n.kind]
        lines.append(f'    {_mid(n)}{left}"{_label(n)}"{right}')
    for e in graph.edges:
        lines.append(f"    {_mid(graph.node(e.src))} --> {_mid(graph.node(e.dst))}")
    for kind in _MERMAID_SHAPE:
        members = [_mid(n) for n in graph.nodes if n.kind == kind]
        if members:
            lines.append(f"    class {','.join(members)} {kind}")
    lines += [
        "    classDef source fill:#e3f8ff,stroke:#0b69a3",
        "    classDef staging fill:#f0f4f8,stroke:#627d98",
        "    classDef fact fill:#fff3c4,stroke:#b44d12,stroke-width:2px",
        "    classDef dimension fill:#e3f9e5,stroke:#207227",
        "    classDef query fill:#eae2f8,stroke:#44056e",
    ]
    return "\n".join(lines) + "\n"


def dot(graph: Lineage) -> str:
    lines = ["digraph lineage {", "    rankdir=LR;", '    node [style=filled, fontname="Helvetica"];']
    for n in graph.nodes:
        lines.append(f'    "{n.id}" [label="{_label(n)}", {_DOT_STYLE[n.kind]}];')
    for e in graph.edges:
        lines.append(f'    "{e.src}" -> "{e.dst}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def text(graph: Lineage) -> str:
    """Each source with everything downstream of it, indented; a node met again is not expanded twice."""
    lines: list[str] = []
    shown: set[str] = set()

    def walk(n: Node, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└── " if last else "├── ")
        again = n.id in shown and bool(graph.downstream(n.id))
        lines.append(f"{prefix}{branch}{_label(n)} [{n.kind}]{' (see above)' if again else ''}")
        if again:
            return
        shown.add(n.id)
        children = graph.downstream(n.id)
        inner = prefix + ("" if top else ("    " if last else "│   "))
        for i, child in enumerate(children):
            walk(child, inner, i == len(children) - 1, False)

    roots = [n for n in graph.nodes if not graph.upstream(n.id)]
    for root in roots:
        walk(root, "", True, True)
    return "\n".join(lines) + "\n"
