"""Every SQL statement about what belongs to one school names the school.

A statement in bot/storage/ that touches a school's cases, invites, roles, counts, outbox rows,
web codes or audit entries must mention `school` (filter by it, set it, or return it for the
caller to check), unless it is on the allow-list below, each entry with the reason it needs no
school: it is about one person (their pseudonym, their chat), about one row already found by
id, or global housekeeping that tells nobody anything about a school.

A new statement without `school` fails here until it filters by school or is allow-listed with
its reason; an allow-list entry that matches nothing any more fails too, so the list stays true.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

STORAGE = Path(__file__).resolve().parents[2] / "bot" / "storage"
# The migrations are history: released ones are never edited, and their statements describe the
# tables as they were before schools existed (`_v9` adds the column).
# The migrations and the key rotation (`antipestbot key rotate`, with the bot stopped) work on
# the whole database, every school's rows alike, and show nothing to anyone.
NOT_CHECKED = ("schema.py", "rekey.py")
SCOPED = re.compile(r"\b(reports|invites|coordinator_schools|counts|outbox|web_codes|audit)\b")
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\b")
TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+(\{\}|\w+)")
SCHOOL = re.compile(r"\bschool\b")

# (module, function, "VERB table") -> why this statement needs no school.
ALLOWED = {
    # People and their roles, whichever school.
    ("coordinators", "CoordinatorStore._sync_active", "UPDATE coordinators"): (
        "per person: whether they hold a role in any school at all"
    ),
    ("coordinators", "CoordinatorStore.listen_at_console", "UPDATE coordinator_schools"): (
        "per person: the console's roles all end before it is given one school's"
    ),
    ("coordinators", "CoordinatorStore.revoke", "UPDATE invites"): (
        "by id: the one pending invite the operator named by its short id"
    ),
    ("coordinators", "CoordinatorStore.redeem", "UPDATE invites"): (
        "by id: the invite whose code was just redeemed (found with its school)"
    ),
    # The outbox: one sender per channel serves the board; each row carries its school.
    ("outbox", "OutboxStore.enqueue_reply", "INSERT outbox"): (
        "per person: a reply already rendered for one chat, about no case"
    ),
    ("outbox", "OutboxStore.next_try", "SELECT outbox"): (
        "global housekeeping: when the channel's sender must wake next"
    ),
    ("outbox", "OutboxStore.sent", "UPDATE outbox"): "by id: a row the sender holds",
    ("outbox", "OutboxStore.retry", "UPDATE outbox"): "by id: a row the sender holds",
    ("outbox", "OutboxStore.dead", "UPDATE outbox"): "by id: a row the sender holds",
    ("outbox", "OutboxStore.cancel", "UPDATE outbox"): "by id: a row the sender holds",
    ("outbox", "OutboxStore.pending_count", "SELECT outbox"): (
        "global housekeeping: the operator's and the tests' count, shown to no user"
    ),
    # Reports by a person or by id.
    ("reports", "ReportStore.create", "SELECT reports"): (
        "global on purpose: a case code is unique over the board, so it names one case"
    ),
    ("reports", "ReportStore.own", "SELECT reports"): (
        "per person: a reporter's own report is theirs in whichever school"
    ),
    ("reports", "ReportStore.forget_reporter", "SELECT reports"): (
        "per person: /vergeet forgets the person in every school"
    ),
    ("reports", "ReportStore.forget_reporter", "DELETE outbox"): (
        "by id: the messages to the person's own reports"
    ),
    ("reports", "ReportStore.forget_reporter", "UPDATE reports"): (
        "per person: /vergeet forgets the person in every school"
    ),
    ("reports", "ReportStore.code_of", "SELECT reports"): (
        "by id: the report of an outbox row, which carries its school"
    ),
    ("reports", "ReportStore.recent_by", "SELECT reports"): (
        "per person: the hourly limit counts a person's reports wherever they made them"
    ),
    ("reports", "ReportStore.purge", "DELETE {}"): (
        "by id: the children of a report found by `closed_before(school, ...)`"
    ),
    ("reports", "ReportStore.purge", "DELETE reports"): (
        "by id: a report found by `closed_before(school, ...)`"
    ),
    ("threads", "ThreadStore.to_reporter", "SELECT messages"): (
        "per person: a message to the reporter's own report, by their pseudonym"
    ),
    ("threads", "ThreadStore.to_reporter_at", "SELECT messages"): (
        "per person: the nth message to the reporter's own report, by their pseudonym"
    ),
    # The key check reads any one sealed value: it proves the key, and shows it to nobody.
    ("keycheck", "", "SELECT reports"): "global housekeeping: one sealed value proves the key",
    # A web conversation's secret codes, by the conversation's own pseudonym.
    ("web", "WebStore.forget_chat", "DELETE web_codes"): "per person: the conversation forgotten",
    ("web", "WebStore.keep_code", "DELETE web_codes"): (
        "per person: a conversation's newer code replaces its older ones"
    ),
}


def statements(source: str) -> Iterator[tuple[str, int, str]]:
    """(function, line, SQL) of every SQL string in a module's source; the values put into an
    f-string read as "{}"."""

    def visit(node: ast.AST, names: list[str]) -> Iterator[tuple[str, int, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                yield from visit(child, [*names, child.name])
                continue
            text = _text(child)
            if text is None:
                yield from visit(child, names)
            elif SQL.match(text):
                yield ".".join(names), child.lineno, text

    yield from visit(ast.parse(source), [])


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # a table named by a variable shows as "{}"
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    return None


def signature(sql: str) -> str:
    """The statement's verb and the table it works on: "UPDATE outbox"."""
    verb = sql.split()[0].upper()
    table = TABLE.search(sql)
    return f"{verb} {table.group(1) if table else '?'}"


def unscoped() -> dict[tuple[str, str, str], list[str]]:
    """Statements on a school's tables (or on a table named by a variable) without `school`."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for path in sorted(STORAGE.glob("*.py")):
        if path.name in NOT_CHECKED:
            continue
        for function, line, sql in statements(path.read_text("utf-8")):
            named_by_variable = signature(sql).endswith("{}")
            if (SCOPED.search(sql) or named_by_variable) and not SCHOOL.search(sql):
                key = (path.stem, function, signature(sql))
                found.setdefault(key, []).append(f"bot/storage/{path.name}:{line}: {sql}")
    return found


def test_every_statement_on_a_schools_rows_names_the_school() -> None:
    missing = {key: where for key, where in unscoped().items() if key not in ALLOWED}
    assert missing == {}, "filter by school, or allow-list with the reason:\n" + "\n".join(
        line for where in missing.values() for line in where
    )


def test_the_allow_list_names_only_statements_that_exist() -> None:
    stale = set(ALLOWED) - set(unscoped())
    assert stale == set(), f"no such statement without `school` any more: {sorted(stale)}"


def test_the_check_sees_statements_in_every_shape() -> None:
    """A plain string, one joined from parts, and an f-string with a variable table."""
    source = (
        "class S:\n"
        "    def a(self):\n"
        "        db.row('SELECT 1 FROM reports WHERE code = ?')\n"
        "    def b(self, t):\n"
        "        db.execute(f'DELETE FROM {t} WHERE report = ?')\n"
        "        db.rows('SELECT code FROM reports'\n"
        "                ' WHERE school = ?')\n"
    )
    found = [(function, signature(sql)) for function, _line, sql in statements(source)]
    assert found == [("S.a", "SELECT reports"), ("S.b", "DELETE {}"), ("S.b", "SELECT reports")]
