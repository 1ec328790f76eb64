"""A parent on Telegram, end to end: signals check, cyberbullying guidance, reporting."""

from __future__ import annotations

from test_e2e_report import CASE_CODE, report_as

from bot.model import Text
from bot.signals import MEANINGS, SIGNALS


def nl(bot, msgid: str) -> str:
    return bot.app.renderer.text(Text(msgid), "nl")


def signal_buttons(parent) -> dict[str, str]:
    """Signal key -> the label of its checklist button, as the parent sees it now."""
    return {
        data.split(":")[2]: label
        for label, data in parent.buttons()
        if data.startswith("signals:toggle:")
    }


async def test_parent_ticks_signals_and_gets_a_weighed_answer(bot, fake, person):
    parent = person(9201)
    await parent.start("parent")
    await parent.press("signals")
    assert set(signal_buttons(parent)) == set(SIGNALS)
    assert all(label.startswith("⬜") for label in signal_buttons(parent).values())

    for key in ("sleep", "nicknames", "alone"):  # two of them about other children
        await parent.press_data(f"signals:toggle:{key}")
    await parent.press_data("signals:toggle:sleep")  # changed my mind

    marks = {key: label.split()[0] for key, label in signal_buttons(parent).items()}
    assert {key for key, mark in marks.items() if mark == "☑️"} == {"nicknames", "alone"}
    assert marks["sleep"] == "⬜"
    assert signal_buttons(parent)["alone"] == "☑️ " + nl(bot, SIGNALS["alone"][0])

    replies = await parent.press("done")
    answer = "\n".join(replies)
    # Two signals about other children weigh 2 + 2 = 4: "a few signals", not the alarm.
    expected = next(msgid for lowest, msgid in MEANINGS if lowest == 3)
    assert nl(bot, expected) in answer
    for msgid in (msgid for lowest, msgid in MEANINGS if lowest != 3):
        assert nl(bot, msgid) not in answer
    assert nl(bot, SIGNALS["nicknames"][0]) in answer
    assert nl(bot, SIGNALS["sleep"][0]) not in answer

    replies = await parent.press("cyber")
    assert len(replies) == 1 and "1" in replies[0]
    assert [data for _label, data in parent.buttons()][0] == "cyber_1:next"


async def test_parent_walks_the_cyberbullying_guidance_step_by_step(bot, fake, person):
    parent = person(9202)
    await parent.start("parent")
    replies = await parent.press("cyber")
    steps = [replies]
    triggers = [data.split(":")[1] for _label, data in parent.buttons()]
    assert "back" not in triggers  # the first step has nowhere to go back to

    while "next" in [data.split(":")[1] for _label, data in parent.buttons()]:
        steps.append(await parent.press("next"))
        if len(steps) == 5:  # go back once, then on again: the same step comes back
            back = await parent.press("back")
            assert back == steps[-2]
            assert await parent.press("next") == steps[-1]

    assert len(steps) == 10
    assert all(len(step) == 1 for step in steps), "each step is one message"
    assert len({step[0] for step in steps}) == 10
    assert all(len(step[0]) < 900 for step in steps), "short messages, not a wall of text"
    guidance = "\n".join(step[0] for step in steps)
    for fact in ("meldknop.nl", "helpwanted.nl", "020-261 52 75", "12", "screenshot"):
        assert fact in guidance, fact
    # The order of the protocol: evidence before meldknop, meldknop before aangifte.
    assert guidance.index("screenshot") < guidance.index("meldknop.nl")
    assert guidance.index("meldknop.nl") < guidance.index("helpwanted.nl")
    assert guidance.index("helpwanted.nl") < guidance.index("aangifte")
    last = [data.split(":")[1] for _label, data in parent.buttons()]
    assert {"report", "school", "back"} <= set(last) and "next" not in last


PARENT_REPORT_PATH = ("report", "my_child", "online", "online", "weekly", "weeks")


async def report_as_parent(parent, story: str, *, photos=(), name: str | None = None) -> str:
    return await report_as(parent, "parent", PARENT_REPORT_PATH, story, photos=photos, name=name)


async def test_parent_reports_with_name_and_screenshot(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    parent = person(9203)
    await parent.start("parent")
    await parent.walk("report", "my_child", "online", "online", "weekly", "weeks")
    await parent.say("Er is een nepaccount met foto's van mijn dochter.")
    await parent.press("story_done")
    await parent.photo("screenshot-p1")
    await parent.press("photos_done")
    # Named by default: giving the name is the first (recommended) choice.
    identity = [data.split(":")[1] for _label, data in parent.buttons()]
    assert identity[:2] == ["give_name", "anonymous"]
    await parent.press("give_name")
    summary = await parent.say("mevrouw Jansen, moeder van Sam, groep 6")
    assert any("mevrouw Jansen" in text for text in summary)
    replies = await parent.press("send")
    (code,) = set(CASE_CODE.findall("\n".join(replies)))

    note = await fake.wait_for(
        lambda c: c.method == "sendMessage" and c.params["chat_id"] == anna.id
    )
    assert code in note.params["text"]
    report = bot.app.stores.reports.get(code)
    assert report is not None
    assert (report.who, report.kind, report.anonymous) == ("my_child", "online", False)
    assert report.name == "mevrouw Jansen, moeder van Sam, groep 6"
    assert bot.app.stores.reports.evidence(code) == ["screenshot-p1"]


async def test_parent_reports_anonymously(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    parent = person(9204)
    code = await report_as_parent(parent, "Mijn zoon wordt elke pauze uitgescholden.")

    await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == anna.id)
    replies = await anna.press("open")
    case = "\n".join(replies)
    assert code in case
    assert nl(bot, "Reporter: anonymous") in case
    assert "Mijn zoon wordt elke pauze uitgescholden." in case
    report = bot.app.stores.reports.get(code)
    assert report is not None
    assert (report.who, report.anonymous, report.name) == ("my_child", True, "")


async def test_a_returning_parent_keeps_the_role_and_gets_help_for_parents(bot, fake, person):
    parent = person(9205)
    await parent.start("parent")
    await parent.walk("cyber", "next")
    await parent.say("/start")
    triggers = [data.split(":")[1] for _label, data in parent.buttons()]
    assert {"signals", "cyber", "school", "report", "switch_role"} <= set(triggers)

    help_text = "\n".join(await parent.press("help"))
    for number in ("112", "0800-0432", "0800-2000", "0800-0113"):
        assert number in help_text, number
    assert "anti-pestcoördinator" in help_text
