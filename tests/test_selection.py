"""The selection grammar and resolver, on a graph shaped like the sample pipeline's."""

from __future__ import annotations

import pytest

from engine.errors import ConfigError, Location
from engine.selection import TableGraph, missing_inputs, parse, refuse_missing, resolve

GRAPH = TableGraph(
    tables=("staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time"),
    reads={
        "songplays": frozenset({"staging_events", "staging_songs"}),
        "users": frozenset({"staging_events"}),
        "songs": frozenset({"staging_songs"}),
        "artists": frozenset({"staging_songs"}),
        "time": frozenset({"staging_events"}),
    },
    tags={"users": frozenset({"nightly"}), "time": frozenset({"nightly", "small"})},
    sources={"staging_events": "log_data", "staging_songs": "song_data"},
)


@pytest.mark.parametrize(
    ("select", "exclude", "expected"),
    [
        (["users"], [], {"users"}),
        (["+songplays"], [], {"songplays", "staging_events", "staging_songs"}),
        (["staging_songs+"], [], {"staging_songs", "songplays", "songs", "artists"}),
        (["tag:nightly"], [], {"users", "time"}),
        (["source:log_data+"], [], {"staging_events", "songplays", "users", "time"}),
        (["source:log_data"], [], {"staging_events"}),
        (["users songs", "time"], [], {"users", "songs", "time"}),
        (["+users,tag:nightly"], [], {"users"}),
        (["source:log_data+"], ["songplays", "tag:small"], {"staging_events", "users"}),
        ([], ["staging_songs+"], {"staging_events", "users", "time"}),
        (["1+songplays"], [], {"songplays", "staging_events", "staging_songs"}),
        (["staging_events+1"], [], {"staging_events", "songplays", "users", "time"}),
    ],
)
def test_resolve(select: list[str], exclude: list[str], expected: set[str]) -> None:
    assert resolve(GRAPH, select, exclude) == expected


def test_depth_limits_the_walk() -> None:
    chain = TableGraph(("a", "b", "c"), {"b": frozenset({"a"}), "c": frozenset({"b"})})
    assert resolve(chain, ["1+c"]) == {"b", "c"}
    assert resolve(chain, ["+c"]) == {"a", "b", "c"}
    assert resolve(chain, ["a+1"]) == {"a", "b"}


def test_parse() -> None:
    sel = parse("2+source:log_data+")
    assert (sel.method, sel.name, sel.up, sel.down) == ("source", "log_data", 2, -1)
    assert parse("users").up is None and parse("users").down is None


@pytest.mark.parametrize(
    ("select", "message", "hint"),
    [
        (["usrs"], "no table named 'usrs'", "did you mean 'users'?"),
        (["tag:nighty"], "no table has the tag 'nighty'", "did you mean 'nightly'?"),
        (["source:log"], "no staging table loads a source named 'log'", "log_data"),
        (["model:users"], "unknown selector method 'model:'", "tag: and source:"),
        (["++users"], "cannot read the selector", "+NAME"),
    ],
)
def test_bad_selectors_say_what_to_type(select: list[str], message: str, hint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(GRAPH, select)
    issue = caught.value.issues[0]
    assert message in issue.message and hint in (issue.hint or "")


def test_empty_selection_is_refused() -> None:
    with pytest.raises(ConfigError, match="leaves no table"):
        resolve(GRAPH, ["users"], ["users"])


def test_selected_table_reading_a_missing_table_is_refused_with_the_fix() -> None:
    assert missing_inputs(GRAPH, frozenset({"users"}), set()) == [("users", "staging_events")]
    assert missing_inputs(GRAPH, frozenset({"users"}), {"staging_events"}) == []
    with pytest.raises(ConfigError) as caught:
        refuse_missing(GRAPH, frozenset({"users"}), set(), Location(None))
    assert caught.value.issues[0].hint is not None and "--select +users" in caught.value.issues[0].hint
