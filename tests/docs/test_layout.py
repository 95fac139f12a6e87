"""The layered layout: boxes never overlap, every edge runs left to right, and it is stable."""

from __future__ import annotations

from pathlib import Path

from docs.fifty_tables import write_pipeline

from engine.config import load_pipeline
from engine.docs.layout import Box, layered
from engine.docs.svg import lineage_svg
from engine.lineage import lineage
from engine.plan import build_plan


def _overlaps(at: dict[str, tuple[float, float]], boxes: dict[str, Box]) -> list[tuple[str, str]]:
    out = []
    items = list(at.items())
    for i, (a, (ax, ay)) in enumerate(items):
        for b, (bx, by) in items[i + 1 :]:
            if (
                ax < bx + boxes[b].width
                and bx < ax + boxes[a].width
                and ay < by + boxes[b].height
                and by < ay + boxes[a].height
            ):
                out.append((a, b))
    return out


def test_fifty_tables_no_overlap_and_edges_go_right(tmp_path: Path) -> None:
    graph = lineage(build_plan(load_pipeline(write_pipeline(tmp_path))))
    boxes = {n.id: Box(n.id, 100 + 5 * len(n.name), 42) for n in graph.nodes}
    edges = [(e.src, e.dst) for e in graph.edges]
    layout = layered(list(boxes.values()), edges)
    assert set(layout.at) == set(boxes)
    assert _overlaps(layout.at, boxes) == []
    for a, b in edges:
        assert layout.at[a][0] + boxes[a].width < layout.at[b][0], (a, b)
        route = layout.routes[(a, b)]
        assert [x for x, _ in route] == sorted(x for x, _ in route)
    for x, y in layout.at.values():
        assert 0 <= x <= layout.width and 0 <= y <= layout.height


def test_long_edges_pass_through_every_layer_between() -> None:
    boxes = [Box(n, 50, 20) for n in "abcd"]
    layout = layered(boxes, [("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")])
    assert [layout.at[n][0] for n in "abcd"] == sorted(layout.at[n][0] for n in "abcd")
    assert len(layout.routes[("a", "d")]) == 6  # two ends and a straight run across each of the two layers between


def test_same_input_same_picture(tmp_path: Path) -> None:
    plan = build_plan(load_pipeline(write_pipeline(tmp_path)))
    assert lineage_svg(lineage(plan), {}) == lineage_svg(lineage(build_plan(load_pipeline(plan.pipeline.file))), {})
