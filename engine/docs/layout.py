"""A layered (Sugiyama-style) layout, left to right, in pure Python.

Why not Graphviz: it would be a system package every user of ``etl-engine docs`` must
install, and a JavaScript layout (Mermaid, ELK) would make the picture depend on the
browser running a large bundle.  Pipelines are DAGs of tens of tables, for which the
classic steps are enough and fast: layers by longest path, dummy nodes on long edges,
barycenter sweeps against crossings, then each node pulled towards its neighbours
without overlapping.  The result is plain coordinates, drawn as SVG by ``svg.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Box:
    id: str
    width: float
    height: float
    #: the smallest layer this box may take (sources first, queries last)
    min_layer: int = 0


@dataclass
class Layout:
    #: top-left corner of each box
    at: dict[str, tuple[float, float]]
    #: for each edge, the points its line passes (ends included, through dummy nodes)
    routes: dict[tuple[str, str], list[tuple[float, float]]]
    width: float
    height: float
    layers: list[list[str]] = field(default_factory=list)


_DUMMY = "\0dummy"


def layered(
    boxes: list[Box],
    edges: list[tuple[str, str]],
    layer_gap: float = 90.0,
    node_gap: float = 18.0,
    margin: float = 20.0,
    sweeps: int = 12,
) -> Layout:
    """Place ``boxes`` in columns so every edge goes left to right; ``edges`` must form a DAG.

    Each connected part is laid out on its own and the parts are stacked, largest first, so a
    table related to nothing else does not sit among (or above) the tables that are.
    """
    size = {b.id: b for b in boxes}
    edges = [(a, b) for a, b in dict.fromkeys(edges) if a in size and b in size and a != b]
    parts = _components(boxes, edges)
    if len(parts) <= 1:
        return _one(boxes, edges, layer_gap, node_gap, margin, sweeps)
    out = Layout({}, {}, 0.0, margin)
    for part in parts:
        ids = {b.id for b in part}
        done = _one(part, [e for e in edges if e[0] in ids], layer_gap, node_gap, margin, sweeps)
        shift = out.height - margin
        out.at.update({n: (x, y + shift) for n, (x, y) in done.at.items()})
        out.routes.update({e: [(x, y + shift) for x, y in r] for e, r in done.routes.items()})
        out.width = max(out.width, done.width)
        out.height = shift + done.height
        out.layers += done.layers
    return out


def _components(boxes: list[Box], edges: list[tuple[str, str]]) -> list[list[Box]]:
    """The connected parts (edges taken both ways), largest first, ties in declaration order."""
    parent = {b.id: b.id for b in boxes}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[str, list[Box]] = {}
    for box in boxes:
        groups.setdefault(find(box.id), []).append(box)
    return sorted(groups.values(), key=lambda g: -len(g))


def _one(
    boxes: list[Box], edges: list[tuple[str, str]], layer_gap: float, node_gap: float, margin: float, sweeps: int
) -> Layout:
    size = {b.id: b for b in boxes}
    layer = _layers(boxes, edges)
    # long edges get a dummy node in every layer they cross, so crossings are counted per layer
    chain: dict[tuple[str, str], list[str]] = {}
    succ: dict[str, list[str]] = {b.id: [] for b in boxes}
    pred: dict[str, list[str]] = {b.id: [] for b in boxes}
    for a, b in edges:
        path = [a]
        for k in range(layer[a] + 1, layer[b]):
            dummy = f"{_DUMMY}{len(layer)}"
            layer[dummy] = k
            succ[dummy], pred[dummy] = [], []
            path.append(dummy)
        path.append(b)
        for u, v in itertools.pairwise(path):
            succ[u].append(v)
            pred[v].append(u)
        chain[(a, b)] = path
    layers: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for node in _dfs_order(boxes, succ):
        layers[layer[node]].append(node)
    for node in layer:  # dummies not reached by the walk (none in practice) still get a place
        if node not in {n for lay in layers for n in lay}:
            layers[layer[node]].append(node)
    _reduce_crossings(layers, succ, pred, sweeps)

    def height(n: str) -> float:
        return size[n].height if n in size else 2.0

    ys = _place(layers, succ, pred, height, node_gap)
    _close_gaps(ys, height, 2 * node_gap)
    widths = [max((size[n].width for n in lay if n in size), default=20.0) for lay in layers]
    xs: list[float] = []
    x = margin
    for w in widths:
        xs.append(x)
        x += w + layer_gap
    top = min(ys.values(), default=0.0)
    at: dict[str, tuple[float, float]] = {}
    #: a dummy node is a straight run across its layer's column, so the line never cuts through a box there
    mid: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
    for k, lay in enumerate(layers):
        for n in lay:
            y = ys[n] - top + margin
            if n in size:
                at[n] = (xs[k], y)
            else:
                mid[n] = ((xs[k], y + 1), (xs[k] + widths[k], y + 1))
    routes: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for (a, b), path in chain.items():
        ax, ay = at[a]
        bx, by = at[b]
        points = [(ax + size[a].width, ay + size[a].height / 2)]
        points += [p for d in path[1:-1] for p in mid[d]]
        points.append((bx, by + size[b].height / 2))
        routes[(a, b)] = points
    bottom = max([*(at[n][1] + size[n].height for n in at), *(run[0][1] + 10 for run in mid.values())], default=0.0)
    return Layout(
        at, routes, x - layer_gap + margin, bottom + margin, [[n for n in lay if n in size] for lay in layers]
    )


def _layers(boxes: list[Box], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the roots, never below a box's ``min_layer``."""
    layer = {b.id: b.min_layer for b in boxes}
    preds: dict[str, list[str]] = {b.id: [] for b in boxes}
    for a, b in edges:
        preds[b].append(a)
    done: set[str] = set()

    def visit(n: str, seen: frozenset[str]) -> int:
        if n in done:
            return layer[n]
        for p in preds[n]:
            if p not in seen:  # a cycle (not expected: the plan refuses them) is cut here
                layer[n] = max(layer[n], visit(p, seen | {n}) + 1)
        done.add(n)
        return layer[n]

    for box in boxes:
        visit(box.id, frozenset())
    return layer


def _dfs_order(boxes: list[Box], succ: dict[str, list[str]]) -> list[str]:
    """Declaration order, children right after their parent: a good start for the sweeps."""
    seen: set[str] = set()
    out: list[str] = []
    stack = [b.id for b in reversed(boxes)]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        out.append(n)
        stack.extend(reversed(succ.get(n, [])))
    return out


def _reduce_crossings(
    layers: list[list[str]], succ: dict[str, list[str]], pred: dict[str, list[str]], sweeps: int
) -> None:
    """Barycenter heuristic, sweeping right then left; keeps the best order seen."""
    best = [list(lay) for lay in layers]
    best_count = _crossings(layers, succ)
    for i in range(sweeps):
        forward = i % 2 == 0
        rng = range(1, len(layers)) if forward else range(len(layers) - 2, -1, -1)
        for k in rng:
            ref = layers[k - 1] if forward else layers[k + 1]
            pos = {n: j for j, n in enumerate(ref)}
            links = pred if forward else succ

            here = {n: j for j, n in enumerate(layers[k])}

            def key(
                n: str, links: dict[str, list[str]] = links, pos: dict[str, int] = pos, here: dict[str, int] = here
            ) -> float:
                near = [pos[m] for m in links.get(n, []) if m in pos]
                # scaled so a node without neighbours keeps its place among the others
                return sum(near) / len(near) if near else here[n] * len(pos) / max(1, len(here))

            layers[k].sort(key=key)
        count = _crossings(layers, succ)
        if count < best_count:
            best, best_count = [list(lay) for lay in layers], count
    layers[:] = best


def _crossings(layers: list[list[str]], succ: dict[str, list[str]]) -> int:
    total = 0
    for k in range(len(layers) - 1):
        pos = {n: j for j, n in enumerate(layers[k + 1])}
        pairs = [(i, pos[m]) for i, n in enumerate(layers[k]) for m in succ.get(n, []) if m in pos]
        for x, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[x + 1 :]:
                if (a1 - a2) * (b1 - b2) < 0:
                    total += 1
    return total


def _place(
    layers: list[list[str]],
    succ: dict[str, list[str]],
    pred: dict[str, list[str]],
    h: Callable[[str], float],
    gap: float,
    rounds: int = 8,
) -> dict[str, float]:
    """Vertical positions: stacked in order, then pulled towards the neighbours' centres."""
    y: dict[str, float] = {}
    for lay in layers:
        cursor = 0.0
        for n in lay:
            y[n] = cursor
            cursor += h(n) + gap
    for r in range(rounds):
        links = pred if r % 2 == 0 else succ
        for lay in layers:
            wanted = []
            for n in lay:
                near = [y[m] + h(m) / 2 for m in links.get(n, [])]
                wanted.append(sum(near) / len(near) - h(n) / 2 if near else y[n])
            # keep the order and the gaps: push down where needed, then back up from the bottom
            for j, n in enumerate(lay):
                y[n] = wanted[j] if j == 0 else max(wanted[j], y[lay[j - 1]] + h(lay[j - 1]) + gap)
    return y


def _close_gaps(y: dict[str, float], h: Callable[[str], float], keep: float) -> None:
    """Remove empty horizontal bands (no box, no edge bend) taller than ``keep``: pulling nodes
    towards their neighbours can leave a whole band of the picture empty."""
    reach: float | None = None
    shift = 0.0
    for n in sorted(y, key=lambda m: y[m]):
        top = y[n]
        if reach is not None and top - reach > keep:
            shift += top - reach - keep
        reach = top + h(n) if reach is None else max(reach, top + h(n))
        y[n] = top - shift
