"""Mermaid state diagrams of the flows; `python -m bot.core.diagram` rewrites `flows/*.mmd`.

A test keeps the committed diagrams in sync with the flow files. A developer's tool: it writes
beside the flows, which in an editable install are the repository's `flows/` (the wheel carries
no diagrams).
"""

from __future__ import annotations

from pathlib import Path

from bot.core.flowspec import Flow, load_flows
from bot.resources import FLOWS


def mermaid(flow: Flow) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {flow.initial}"]
    for state in flow.states.values():
        for move in state.moves():
            lines.append(f"    {state.name} --> {move.dest or state.name}: {move.trigger}")
            if state.editable and move.dest and flow.summary:
                lines.append(f"    {state.name} --> {flow.summary}: {move.trigger} (editing)")
            for key, dest in move.branch.items():
                lines.append(f"    {state.name} --> {dest}: {move.trigger} (with {key})")
    for move in flow.globals:
        if move.dest:
            lines.append(f"    note right of {move.dest}: any state --{move.trigger}--> here")
    return "\n".join(lines) + "\n"


def write_all(folder: Path = FLOWS) -> list[Path]:
    written = []
    for name, flow in load_flows(folder).items():
        path = folder / f"{name}.mmd"
        path.write_text(mermaid(flow), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
