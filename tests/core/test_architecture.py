"""Architecture rules, checked on the source with `ast` (nothing is imported).

- Only `bot/channels/telegram*.py` imports `telegram`: the engine never depends on a channel.
- Nothing under `bot/` outside `bot/channels/` imports a channel (their contract, channels.base,
  aside), except the CLI and the root (app).
- Every public function and method is fully annotated (parameters and return).
- Only the CLI and the terminal channel print; everything else returns values or logs. A module's
  own `if __name__ == "__main__":` block is a command line too and may print.
- The rings of `../shared/layout.md` (README, "How it is built"): each part of `bot/` imports only
  the parts below it (RINGS), so the kernel stays pure and a channel only adapts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bot"
TELEGRAM_ALLOWED = "bot/channels/telegram/*.py"
CHANNEL_IMPORTERS = {"bot/cli.py", "bot/app.py"}
PRINTERS = {
    "bot/cli.py",
    "bot/cli_schools.py",
    "bot/cli_stats.py",
    "bot/cli_data.py",
    "bot/channels/terminal.py",
}


def _sources() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        found.append((rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)))
    return found


SOURCES = _sources()


def _package_of(rel: str) -> list[str]:
    """The dotted package a file's relative imports start from."""
    parts = rel.removesuffix(".py").split("/")
    return parts[:-1]


def _imported(rel: str, tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every module name a file imports (relative imports resolved), with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(rel)[: len(_package_of(rel)) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            # `from bot import channels` imports the package through its parent
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args:
            # importlib.import_module("telegram") / __import__("telegram")
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            literal = first.value if isinstance(first, ast.Constant) else None
            if name in ("import_module", "__import__") and isinstance(literal, str):
                yield node.lineno, literal


def _is_module(name: str, root: str) -> bool:
    return name == root or name.startswith(root + ".")


def test_the_sources_were_found() -> None:
    names = {rel for rel, _ in SOURCES}
    assert {"bot/cli.py", "bot/channels/telegram/channel.py", "bot/channels/terminal.py"} <= names


def test_only_the_telegram_channel_imports_telegram() -> None:
    offenders = [
        f"{rel}:{line} imports {name}"
        for rel, tree in SOURCES
        if not fnmatch(rel, TELEGRAM_ALLOWED)
        for line, name in _imported(rel, tree)
        if _is_module(name, "telegram")
    ]
    assert offenders == []
    # The check is not vacuous: the Telegram channel itself is seen importing telegram.
    seen = [
        name
        for rel, tree in SOURCES
        if fnmatch(rel, TELEGRAM_ALLOWED)
        for _, name in _imported(rel, tree)
    ]
    assert any(_is_module(name, "telegram") for name in seen)


def test_only_the_cli_imports_a_channel() -> None:
    offenders = [
        f"{rel}:{line} imports {name}"
        for rel, tree in SOURCES
        if not rel.startswith("bot/channels/") and rel not in CHANNEL_IMPORTERS
        for line, name in _imported(rel, tree)
        if _is_module(name, "bot.channels") and not _is_module(name, "bot.channels.base")
    ]
    assert offenders == []


# Each part of bot/ and the parts of ours it may import (besides itself). The leaves import
# nothing of ours. Channels know only the kernel, their contract (channels.base) and the one HTTP
# server the root gives those that take requests (channels.http): the root hands each one the
# conversation it serves. `settings` is read by the root and the CLI only.
RINGS: dict[str, tuple[str, ...]] = {
    "bot.clock": (),
    "bot.crypto": (),
    "bot.settings": (),
    "bot.resources": (),  # where the flows and the catalogs lie, found through the package
    "bot.logs": ("bot.settings",),
    "bot.core": ("bot.clock", "bot.resources"),
    "bot.storage": ("bot.core", "bot.crypto", "bot.clock"),
    "bot.schools": ("bot.core", "bot.clock"),
    # A case's notifications show figures (the Monday digest): the readers lie below the verbs.
    "bot.cases": ("bot.stats", "bot.storage", "bot.schools", "bot.core", "bot.clock"),
    "bot.stats": ("bot.storage", "bot.schools", "bot.core", "bot.clock"),
    "bot.chat": (
        "bot.cases",
        "bot.stats",
        "bot.schools",
        "bot.storage",
        "bot.core",
        "bot.crypto",
        "bot.clock",
    ),
    "bot.background": (
        "bot.cases",
        "bot.storage",
        "bot.schools",
        "bot.core",
        "bot.clock",
        "bot.channels.base",
    ),
    "bot.channels": ("bot.core", "bot.channels.base", "bot.channels.http"),
    "bot.console": ("bot.cases", "bot.stats", "bot.schools", "bot.storage", "bot.core"),
    "bot.app": ("bot",),
    # the command line: starts what the root built, and the offline jobs (backup, invites)
    "bot.cli": (
        "bot.app",
        "bot.settings",
        "bot.storage",
        "bot.logs",
        "bot.clock",
        "bot.crypto",
        "bot.core",
        "bot.channels",
        "bot.cli_schools",
        "bot.cli_stats",
        "bot.cli_data",
    ),
    # the board administrator's `school` commands and `--school`: the CLI's own part, kept apart
    # to keep cli.py short; it prints, and knows schools and their posters, but no channel
    "bot.cli_schools": (
        "bot.app",
        "bot.settings",
        "bot.storage",
        "bot.schools",
        "bot.clock",
    ),
    # `antipestbot stats`: the figures as a table or a file (the exports of bot.stats); it prints
    "bot.cli_stats": (
        "bot.app",
        "bot.cli_schools",
        "bot.settings",
        "bot.storage",
        "bot.stats",
        "bot.core",
        "bot.clock",
    ),
    # `backup`, `restore` and `key rotate`: the data on its own, without building the bot
    "bot.cli_data": ("bot.settings", "bot.storage", "bot.crypto", "bot.clock"),
    "bot.__main__": ("bot.cli",),
    "bot.__init__": (),
}


def _module_of(rel: str) -> str:
    return rel.removesuffix(".py").replace("/", ".")


def _part_of(module: str) -> str:
    """The longest RINGS key that `module` is, or lies under."""
    return max((part for part in RINGS if _is_module(module, part)), key=len)


def _allowed(importer: str, imported: str) -> bool:
    part = _part_of(importer)
    if part == "bot.channels":
        # a channel's own package (bot.channels.telegram.request), never another channel's
        if _is_module(imported, ".".join(importer.split(".")[:3])):
            return True
    elif _is_module(imported, part) and part not in ("bot.app", "bot.cli"):
        return True
    return any(_is_module(imported, allowed) for allowed in RINGS[part])


def _ring_offenders() -> list[str]:
    offenders = []
    for rel, tree in SOURCES:
        importer = _module_of(rel)
        for line, name in _imported(rel, tree):
            if not _is_module(name, "bot") or name == "bot":
                continue
            if not _allowed(importer, name):
                offenders.append(f"{rel}:{line} imports {name}")
    return sorted(set(offenders))


def test_every_part_imports_only_the_rings_below_it() -> None:
    assert _ring_offenders() == []


def test_the_ring_check_sees_a_forbidden_import() -> None:
    assert not _allowed("bot.core.engine", "bot.storage.db")
    assert not _allowed("bot.channels.terminal", "bot.chat.service")
    assert not _allowed("bot.channels.terminal", "bot.channels.telegram")
    assert not _allowed("bot.cases.casework", "bot.chat.turn")
    assert _allowed("bot.chat.service", "bot.cases.casework")
    assert _allowed("bot.channels.telegram", "bot.channels.telegram.request")
    assert _allowed("bot.app", "bot.channels.telegram")


def _public_functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef]]:
    """Module-level functions and methods of (nested) classes, by qualified name.

    Functions defined inside functions are local helpers, not public API.
    """

    def visit(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, ast.FunctionDef]]:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if not node.name.startswith("_"):
                    yield f"{prefix}{node.name}", node  # type: ignore[misc]
            elif isinstance(node, ast.ClassDef):
                yield from visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.If | ast.Try):
                # definitions under `if TYPE_CHECKING:` or `try: ... except ImportError:`
                yield from visit(node.body, prefix)
                yield from visit(node.orelse, prefix)

    yield from visit(tree.body, "")


def _missing_annotations(node: ast.FunctionDef) -> list[str]:
    args = node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    params += [a for a in (args.vararg, args.kwarg) if a is not None]
    missing = [a.arg for a in params if a.annotation is None and a.arg not in ("self", "cls")]
    if node.returns is None:
        missing.append("return")
    return missing


def test_public_functions_are_fully_annotated() -> None:
    offenders = [
        f"{rel}:{node.lineno} {name}: {', '.join(missing)}"
        for rel, tree in SOURCES
        for name, node in _public_functions(tree)
        if (missing := _missing_annotations(node))
    ]
    assert offenders == []


def _is_main_guard(node: ast.AST) -> bool:
    """`if __name__ == "__main__":`, a module's own command line (like `bot/cli.py`)."""
    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _prints(tree: ast.AST) -> Iterator[int]:
    """Lines that call print(), outside a `__main__` guard."""
    for node in ast.iter_child_nodes(tree):
        if _is_main_guard(node):
            continue
        if isinstance(node, ast.Call):
            func = node.func
            bare = isinstance(func, ast.Name) and func.id == "print"
            builtin = (
                isinstance(func, ast.Attribute)
                and func.attr == "print"
                and isinstance(func.value, ast.Name)
                and func.value.id == "builtins"
            )
            if bare or builtin:
                yield node.lineno
        yield from _prints(node)


def test_no_print_outside_the_cli_and_terminal() -> None:
    offenders = [
        f"{rel}:{line}" for rel, tree in SOURCES if rel not in PRINTERS for line in _prints(tree)
    ]
    assert offenders == [], "log an event or return a value instead of printing"


def test_the_print_check_sees_prints() -> None:
    tree = ast.parse(
        "def f() -> None:\n"
        "    print('x')\n"
        "    builtins.print('y')\n"
        "if __name__ == '__main__':\n"
        "    print('a script may print')\n"
    )
    assert list(_prints(tree)) == [2, 3]


def test_the_import_check_resolves_every_form() -> None:
    tree = ast.parse(
        "import telegram.ext\n"
        "from telegram import Bot\n"
        "from ..channels import terminal\n"
        "from bot import channels\n"
        "importlib.import_module('telegram')\n"
    )
    names = {name for _, name in _imported("bot/storage/x.py", tree)}
    assert {"telegram.ext", "telegram", "bot.channels", "bot.channels.terminal"} <= names


def test_the_annotation_check_sees_every_parameter() -> None:
    tree = ast.parse(
        "class A:\n"
        "    def m(self, a: int, *args, b, **kw) -> None: ...\n"
        "    def _private(self, x): ...\n"
        "def f(x: int): ...\n"
    )
    found = {name: _missing_annotations(node) for name, node in _public_functions(tree)}
    assert found == {"A.m": ["b", "args", "kw"], "f": ["return"]}


# SQL lives in bot/storage/ only: elsewhere no call of a database method, on any object, and no
# SQL text. A feature asks a store (`stores.reports.claim(...)`) instead of writing a query.
SQL_HOME = "bot/storage/"
SQL_CALLS = {"execute", "executemany", "row", "rows", "query"}
SQL_WORDS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "CREATE ")


def _sql(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Calls of a database method and string literals holding SQL, with their lines."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in SQL_CALLS:
                yield node.lineno, f"calls {name}()"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # f-string parts are Constants too, so f"DELETE FROM {table}" is seen
            for word in SQL_WORDS:
                if word in node.value:
                    yield node.lineno, f"holds {word.strip()!r}"


def test_sql_only_in_storage() -> None:
    offenders = [
        f"{rel}:{line} {what}"
        for rel, tree in SOURCES
        if not rel.startswith(SQL_HOME)
        for line, what in _sql(tree)
    ]
    assert offenders == [], "ask a store in bot/storage/ instead"
    # The check is not vacuous: storage itself is seen running queries.
    assert any(_sql(tree) for rel, tree in SOURCES if rel.startswith(SQL_HOME))


def test_the_sql_check_sees_queries() -> None:
    tree = ast.parse(
        "def f(stores, turn, n) -> None:\n"
        "    stores.db.execute('DELETE FROM sessions WHERE key = ?', (turn.key,))\n"
        "    stores.db.rows(query)\n"
        "    conn.cursor().executemany(sql, [])\n"
        "    sql = f'SELECT id FROM t LIMIT {n}'\n"
        "    stores.reports.get(turn.key)\n"
    )
    assert sorted(_sql(tree)) == [
        (2, "calls execute()"),
        (2, "holds 'DELETE FROM'"),
        (3, "calls rows()"),
        (4, "calls executemany()"),
        (5, "holds 'SELECT'"),
    ]
