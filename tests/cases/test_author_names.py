"""A case's past keeps the name each coordinator acted under (issue 11, item 3).

Renaming a coordinator (the operator's `coordinator add` with a new name; before issue 11 also
a redeemed invite) must not rewrite who wrote the notes and messages, ticked the checklist, or
appears in the history: what was done under a name stays under it.
"""

from __future__ import annotations

from support.acting import acting, coordinator
from support.casefiles import file_report

from bot.cases import casework, checklist, events
from bot.clock import stamp


def test_notes_messages_ticks_and_history_keep_the_name_they_were_written_under(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Juf Anna")
    ctx = acting(timed_app, anna)
    casework.claim(ctx, code)
    casework.add_note(ctx, code, "Gesprek gepland.")
    assert casework.message_reporter(ctx, code, "Dank je wel.") is True
    checklist.tick(ctx, code, "1")

    with timed_app.stores.db.transaction():  # the operator renames her
        timed_app.stores.coordinators.add(101, "Anna de Vries", stamp(timed_app.clock))
    casework.add_note(acting(timed_app, anna), code, "Ouders gebeld.")
    casework.set_status(acting(timed_app, anna), code, "in_progress")

    stores = timed_app.stores
    assert [n["author"] for n in stores.reports.notes(code, 1)] == ["Juf Anna", "Anna de Vries"]
    assert [m["author"] for m in stores.threads.of(code, 1)] == ["Juf Anna"]
    assert stores.checklists.ticks(code, 1)[1]["name"] == "Juf Anna"
    history = events.history(stores, timed_app.school, "nl", code)
    assert [(entry.params["who"], entry.params["what"].msgid) for entry in history] == [
        ("Juf Anna", "claimed"),
        ("Juf Anna", "message to the reporter"),
        ("Anna de Vries", "status: in progress"),  # done after the rename
    ]
