"""Slash commands both channels understand, mapped to stable trigger ids (Dutch and English)."""

from __future__ import annotations

COMMANDS = {
    "start": "start",
    "stop": "stop",
    "menu": "menu",
    "hulp": "help",
    "help": "help",
    "taal": "language",
    "language": "language",
    "wachtrij": "queue",
    "queue": "queue",
    "cijfers": "figures",
    "figures": "figures",
    "privacy": "privacy",
    "vergeet": "forget",
    "forget": "forget",
    "meldingen": "my_reports",
    "reports": "my_reports",
}


def command_trigger(name: str) -> str:
    """The trigger for a command name; unknown names pass through for the engine to refuse."""
    name = name.lower()
    return COMMANDS.get(name, name)
