"""Babel extraction method for `flows/*.yaml`: every `say:` item and every move's `label:`.

Wired up in `babel.cfg`; `tools/update_catalogs.py` runs it. Python msgids come from Babel's own
extractor (keywords `N_` and `Text`). Aliased nodes (`*outcome_buttons`) are yielded once.
A shared fragment (`flows/shared/*.yaml`) has the `globals:` of a flow, so it is read the same
way; an `include:` item has no text of its own. A file with neither `globals:` nor `states:`
(the crisis word list) yields nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

MOVE_LISTS = ("buttons", "accepts")  # a state's lists of moves
INPUTS = ("text", "photo")  # a state's inputs, each a move


def extract_flow(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Yield `(lineno, None, msgid, [])` for the user-facing text of one flow file."""
    root = yaml.compose(fileobj, Loader=yaml.SafeLoader)
    seen: set[int] = set()
    for node in _msgid_nodes(root):
        if id(node) not in seen and node.value:
            seen.add(id(node))
            yield node.start_mark.line + 1, None, node.value, []


def _msgid_nodes(root: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    for move in _items(_get(root, "globals")):
        yield from _move(move)
    states = _get(root, "states")
    for _name, state in states.value if isinstance(states, yaml.MappingNode) else ():
        yield from _scalars(_get(state, "say"))
        yield from _scalars(_get(state, "say_after"))
        for key in MOVE_LISTS:
            for move in _items(_get(state, key)):
                yield from _move(move)
        for key in INPUTS:
            yield from _move(_get(state, key))


def _move(move: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    yield from _scalars(_get(move, "label"))
    yield from _scalars(_get(move, "say"))
    yield from _scalars(_get(move, "say_draft"))


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalars(node: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """A scalar, or the scalars of a list (`say: "…"` and `say: ["…", "…"]` both work)."""
    for item in [node] if isinstance(node, yaml.ScalarNode) else _items(node):
        if isinstance(item, yaml.ScalarNode):
            yield item
