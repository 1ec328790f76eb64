"""A parent on Telegram, end to end: signals, cyberbullying guidance, the protocol, reporting.

Parents read "u", never "je": the last tests walk everything a parent can run into, errors and
/vergeet included, and check every text and button they were shown.
"""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from bot.chat import signals
from bot.core.flowspec import load_flows
from bot.core.model import Text
from bot.core.ratelimit import FloodGate
from bot.resources import FLOWS, LOCALES

CASE_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{2}\b")
# Words that speak to a child; a parent is always "u".
JE = re.compile(r"\b(je|jij|jou|jouw|jezelf|jullie)\b", re.IGNORECASE)
NUDE_WARNING = "Stuur geen naaktbeelden of seksuele beelden van een kind, ook niet als bewijs."


def nl(bot, msgid: str, audience: str | None = "parent", **params) -> str:
    return bot.app.renderer.text(Text(msgid, params), "nl", audience)


def signal_buttons(parent) -> dict[str, str]:
    """Signal key -> the label of its checklist button, as the parent sees it now."""
    return {
        data.split(":")[2]: label
        for label, data in parent.buttons()
        if data.startswith("signals:toggle:")
    }


def what_they_read(fake, user_id: int, since: int = 0, until: int | None = None) -> list[str]:
    """Every text, caption and button label sent to a chat, in calls `since` to `until`."""
    read = []
    for call in fake.sent(user_id)[since:until]:
        if not call.ok:
            continue
        read += [call.params[key] for key in ("text", "caption") if key in call.params]
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict):
            read += [b.get("text", "") for row in markup.get("inline_keyboard", []) for b in row]
    return read


async def report_as_parent(
    parent, story: str, *, kinds=("names",), place="class", photos=(), name: str | None = None
) -> list[str]:
    """From the parent's menu, a whole report about their own child; returns what `send` said."""
    await parent.walk("report", "my_child", *kinds, "kinds_done", place, "weekly", "weeks")
    await parent.say(story)
    await parent.press("story_done")
    for file_id in photos:
        await parent.photo(file_id)
    await parent.press("photos_done" if photos else "no_photo")
    if name is None:
        await parent.press("anonymous")
    else:
        await parent.press("give_name")
        await parent.say(name)
    return await parent.press("send")


def case_code(replies: list[str]) -> str:
    (code,) = set(CASE_CODE.findall("\n".join(replies)))
    return code


async def test_parent_ticks_signals_and_gets_an_answer_by_which_signals(bot, fake, person):
    parent = person(9201)
    await parent.start("parent")
    await parent.press("signals")
    assert set(signal_buttons(parent)) == set(signals.SIGNALS)
    assert all(label.startswith("⬜") for label in signal_buttons(parent).values())

    for key in ("sleep", "nicknames", "alone"):  # two of them about other children
        await parent.press_data(f"signals:toggle:{key}")
    await parent.press_data("signals:toggle:sleep")  # changed my mind

    marks = {key: label.split()[0] for key, label in signal_buttons(parent).items()}
    assert {key for key, mark in marks.items() if mark == "☑️"} == {"nicknames", "alone"}
    assert marks["sleep"] == "⬜"
    assert signal_buttons(parent)["alone"] == "☑️ " + nl(bot, signals.SIGNALS["alone"])

    answer = "\n".join(await parent.press("done"))
    assert nl(bot, signals.MANY_ABOUT_OTHERS) in answer
    assert nl(bot, signals.SIGNALS["nicknames"]) in answer
    assert nl(bot, signals.SIGNALS["sleep"]) not in answer
    assert "deze stappen zijn altijd goed" in answer
    assert "Neem dit serieus" not in answer and "anoniem" not in answer

    # All five signals that often have other causes: the answer says none is about other
    # children (a score alone would have claimed they were).
    await parent.press("again")
    for key in ("nicknames", "alone", "absent", "reluctant", "sleep", "results", "early"):
        await parent.press_data(f"signals:toggle:{key}")
    answer = "\n".join(await parent.press("done"))
    assert nl(bot, signals.SEVERAL_OTHER) in answer
    assert "maar geen over hoe andere kinderen met uw kind omgaan" in answer
    assert nl(bot, signals.MANY_ABOUT_OTHERS) not in answer

    replies = await parent.press("cyber")
    assert len(replies) == 1 and "1" in replies[0]
    assert [data for _label, data in parent.buttons()][0] == "cyber_1:next"


def test_the_signal_answer_follows_which_signals_were_ticked():
    meaning = signals.meaning
    assert meaning([]) == signals.NONE_TICKED
    assert meaning(["sleep"]) == signals.FEW_OTHER
    assert meaning(["absent", "reluctant", "sleep", "results", "early"]) == signals.SEVERAL_OTHER
    assert meaning(["mocked"]) == signals.ONE_ABOUT_OTHERS
    assert meaning(["mocked", "sleep"]) == signals.ONE_ABOUT_OTHERS
    assert meaning(["mocked", "sleep", "early"]) == signals.SEVERAL_ONE_ABOUT_OTHERS
    assert meaning(["last", "alone"]) == signals.MANY_ABOUT_OTHERS


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
    assert all(len(step[0]) < 1100 for step in steps), "short messages, not a wall of text"
    guidance = "\n".join(step[0] for step in steps)
    for fact in ("meldknop.nl", "helpwanted.nl", "020-261 52 75", "12", "screenshot"):
        assert fact in guidance, fact
    # The order of the protocol: evidence before meldknop, meldknop before aangifte.
    assert guidance.index("screenshot") < guidance.index("meldknop.nl")
    assert guidance.index("meldknop.nl") < guidance.index("helpwanted.nl")
    assert guidance.index("helpwanted.nl") < guidance.index("aangifte")
    # Removal is asked for, not promised; the warning about nude images is a paragraph of its own.
    step_6 = steps[5][0]
    assert "vraagt om ze te verwijderen" in step_6 and "laten verwijderen" not in step_6
    assert "\n\n⚠️ Naaktbeelden of seksuele beelden van een kind" in step_6
    assert "Sommige vormen van online pesten zijn strafbaar" in steps[7][0]
    for explained in (
        "herstelrecht: de pester maakt het goed met het gepeste kind",
        "de no blame-aanpak: een steungroep van klasgenoten helpt, zonder dat iemand de schuld",
        "een maatje voor uw kind: een klasgenoot",
    ):
        assert explained in steps[8][0], explained
    last = [data.split(":")[1] for _label, data in parent.buttons()]
    assert {"report", "school", "back"} <= set(last) and "next" not in last


# What "Wat doet de school?" must tell a parent: the whole protocol (issue 9), in its words.
PROTOCOL_ITEMS = {
    "the bot holds the main points": "de belangrijkste punten uit het anti-pestprotocol",
    "the appendices can be read at school": "u kunt ze altijd op school inkijken",
    "the teacher reports": "Ziet de leerkracht dat er gepest wordt? Dan meldt de leerkracht",
    "a report here reaches the coordinators": (
        "Een melding in deze chat komt ook direct bij de anti-pestcoördinatoren."
    ),
    "the talk with the child and parents": "praat de school met het gepeste kind en met de ouders",
    "coordinator and teacher choose together": (
        "kiezen de anti-pestcoördinator en de leerkracht samen de aanpak"
    ),
    "phases 1-6": "fase 1 tot 6",
    "a consequence for bullies and meelopers": "De pesters en de meelopers",
    "pedagogically sound": "een pedagogisch verantwoorde straf",
    "spreaders and people who react": "berichten of beelden doorsturen of erop reageren",
    "they must delete the material": "moeten het materiaal verwijderen",
    "herstelrecht, explained": "herstelrecht: de pester maakt het goed",
    "no blame, explained": "no blame-aanpak: een steungroep van klasgenoten",
    "maatje": "een maatje: een klasgenoot",
    "a warm re-integration": "warm en zorgvuldig terugkomt in de groep (re-integratie)",
    "the gedragsspecialist": "Een gedragsspecialist kan het gepeste kind begeleiden",
    "a straalmoment": "straalmoment: een moment waarop het kind laat zien waar het goed in is",
    "relatieherstel between parents": "(relatieherstel)",
    "the class climate": "(het klasklimaat)",
    "activating bystanders": "de omstanders (de kinderen die het pesten zien) doen niet mee",
    "the ouderavond": "ouderavond voor alle ouders van de groep",
    "agreements on smartphone use": "afspraken over hoe zij het smartphonegebruik",
    "monitoring": "houdt het gedrag van de pesters in de gaten",
    "escalation to phases 3-6": "verder met fase 3, 4 en zo nodig 5 en 6",
    "the coordinator keeps in touch with the parents": (
        "De anti-pestcoördinator houdt contact met de ouders van het gepeste kind"
    ),
}


async def test_what_the_school_does_covers_the_whole_protocol(bot, fake, person):
    parent = person(9206)
    await parent.start("parent")
    screens = [await parent.press("school")]
    while "next" in [data.split(":")[1] for _label, data in parent.buttons()]:
        screens.append(await parent.press("next"))
    assert await parent.press("back") == screens[-2]  # and back, as in a booklet
    assert await parent.press("next") == screens[-1]

    assert 3 <= len(screens) <= 6, "a few screens"
    assert all(len(screen) == 1 and len(screen[0]) < 1200 for screen in screens), "short screens"
    read = "\n".join(screen[0] for screen in screens)
    missing = [item for item, words in PROTOCOL_ITEMS.items() if words not in read]
    assert missing == []
    assert not JE.search(read)
    # The route through the protocol in its order: report, talk, choose, act, follow up.
    order = ["Ziet de leerkracht", "fase 1 tot 6", "herstelrecht", "ouderavond", "fase 3, 4"]
    assert [read.index(words) for words in order] == sorted(read.index(w) for w in order)
    last = [data.split(":")[1] for _label, data in parent.buttons()]
    assert "report" in last


async def test_parent_reports_with_name_and_screenshot(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    parent = person(9203)
    await parent.start("parent")
    await parent.walk("report", "my_child", "online", "kinds_done", "online", "weekly", "weeks")
    await parent.say("Er is een nepaccount met foto's van mijn dochter.")
    ask_photos = "\n".join(await parent.press("story_done"))
    assert NUDE_WARNING in ask_photos  # the warning at every photo step
    assert NUDE_WARNING in "\n".join(await parent.photo("screenshot-p1"))
    identity_texts = "\n".join(await parent.press("photos_done"))
    # Named by default: giving the name is the first (recommended) choice; honest about names.
    identity = [data.split(":")[1] for _label, data in parent.buttons()]
    assert identity[:2] == ["give_name", "anonymous"]
    assert "noemt u de naam van uw kind? Dan weet de school vaak toch wie u bent" in identity_texts
    assert "Telegram weet wel dat u met mij chat" in identity_texts  # the channel's own fact
    assert "anoniem" not in identity_texts
    await parent.press("give_name")
    summary = await parent.say("mevrouw Jansen, moeder van Sam, groep 6")
    assert any("mevrouw Jansen" in text for text in summary)
    replies = await parent.press("send")
    code = case_code(replies)

    said = "\n".join(replies)
    assert "Een anti-pestcoördinator van de school leest hem" in said
    assert "Daarna kiest de anti-pestcoördinator samen met de leerkracht de aanpak" in said
    assert "Is een kind in gevaar? Dan moet de school iets doen" in said
    assert "De school probeert u dat eerst te laten weten" in said
    note = await fake.wait_for(
        lambda c: c.method == "sendMessage" and c.params["chat_id"] == anna.id
    )
    assert code in note.params["text"]
    report = bot.app.stores.reports.get(code, frozenset({1}))
    assert report is not None
    assert (report.who, report.kind, report.anonymous) == ("my_child", "online", False)
    assert report.name == "mevrouw Jansen, moeder van Sam, groep 6"
    assert bot.app.stores.reports.evidence(code, 1) == ["screenshot-p1"]

    # The coordinator writes back: the parent reads it with "u".
    await anna.press("open")
    await anna.press("message")
    await anna.say("Kunt u morgen om half negen langskomen?")
    teaser = await fake.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and c.params["chat_id"] == parent.id
            and "📬" in c.params["text"]
        )
    )
    assert teaser.params["text"].startswith("📬 U heeft een nieuw bericht.")
    await fake.wait_idle()
    letter = (await parent.press("read_message"))[0]
    assert letter.startswith(f"📩 Bericht van de anti-pestcoördinator over uw melding {code}:")


async def test_a_parents_report_about_online_bullying_ends_with_both_links(
    bot, fake, person, coordinator
):
    bot.app.service.flood = FloodGate(burst=10**9)  # two reports in a few seconds
    coordinator(501, "Juf Anna")
    parent = person(9207)
    await parent.start("parent")
    replies = await report_as_parent(
        parent, "In de klassenapp wordt mijn zoon uitgelachen.", kinds=("names", "online")
    )
    case_code(replies)
    end = replies[-1]  # the screen that stays: the links, then where to follow the report
    for words in (
        "www.meldknop.nl: hier meldt u online pesten",
        "www.helpwanted.nl: advies over online pesten",
        "020-261 52 75",
    ):
        assert words in end, words
    assert end.index("meldknop.nl") < end.index("helpwanted.nl") < end.index("📂 Mijn meldingen")
    assert not JE.search(end)
    # /taal right after: the links stay, the thanks and the code are not said again.
    await parent.say("/taal")
    again = "\n".join(await parent.press_data("*:set_language:nl"))
    assert "meldknop.nl" in again and not CASE_CODE.search(again)

    # Bullying in the playground only: no online links.
    await parent.press("menu")
    other = await report_as_parent(parent, "Op het plein wordt hij geduwd.", kinds=("hitting",))
    assert "meldknop.nl" not in "\n".join(other)


async def test_parent_reports_without_a_name(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    parent = person(9204)
    await parent.start("parent")
    code = case_code(await report_as_parent(parent, "Mijn zoon wordt elke pauze uitgescholden."))

    await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == anna.id)
    case = "\n".join(await anna.press("open"))
    assert code in case
    assert nl(bot, "Reporter: no name given", None) in case
    assert "Mijn zoon wordt elke pauze uitgescholden." in case
    report = bot.app.stores.reports.get(code, frozenset({1}))
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


async def test_a_parent_reads_u_everywhere_errors_and_forgetting_included(
    bot, fake, person, coordinator
):
    """Everything a parent can run into, read back: never "je" or "jij"."""
    bot.app.service.flood = FloodGate(burst=10**9)  # this parent taps faster than anyone
    coordinator(501, "Juf Anna")
    parent = person(9208)
    await parent.start("parent")
    since = len(fake.sent(parent.id))  # the role question before this is for everyone

    await parent.press("help")
    await parent.walk("difference", "menu", "signals", "done")
    await parent.say("/onzin")
    await parent.press_data("cyber_3:next")  # an old button
    kept = await parent.say("Mijn zoon durft niet meer naar school.")  # typed, not tapped
    assert kept[0].startswith("Wat u typte, heb ik bewaard. ✅")
    await parent.sticker()
    carried = await parent.press_data("*:tell_school")
    assert "Wat u typte, staat nu in uw melding. ✅" in carried
    await parent.walk("my_child", "names", "excluding", "kinds_done", "class", "daily")
    await parent.press("months")  # the typed story is already there: "anything to add?"
    crisis = await parent.say("Hij zegt dat hij niet meer wil leven.")
    assert "113" in crisis[0]
    await parent.photo("te-vroeg")  # a photo where the story is asked
    asked = await parent.press("menu")  # leaving a report with a story asks first
    assert asked == [nl(bot, "Do you want to stop? What you typed will not be sent then.")]
    await parent.press("go_on")
    message_id = fake.push_text(parent.id, "Het gebeurt elke dag.")
    await fake.wait_idle(quiet=0.15)
    user = fake._user(parent.id, "nl")
    edited = {**fake._new_message(parent.id, user, {"text": "elke dag"}), "message_id": message_id}
    fake.push_update({"edited_message": {**edited, "edit_date": edited["date"]}})
    await fake.wait_idle(quiet=0.15)
    for part in range(5):  # a story that fills up: the fifth part is cut, the sixth not kept
        await parent.say(f"Deel {part}: " + "wat er gebeurde " * 250)
    full = await parent.say("En nog iets.")
    assert full[0].startswith("Uw verhaal is vol")
    await parent.press("story_done")
    await parent.walk("no_photo", "anonymous", "change", "edit_story", "back")
    removed = await parent.walk("change", "edit_photos", "photo_remove")
    assert removed[0] == "Er zitten geen foto's in uw melding."
    await parent.press("back")
    case_code(await parent.press("send"))
    await parent.press("my_reports")
    await parent.say("/privacy")
    await parent.say("/taal")
    await parent.press_data("*:set_language:nl")
    await parent.press("menu")
    await parent.walk("report", "other_child", "hitting", "kinds_done", "playground", "once")
    await parent.press("this_week")
    await parent.say("Een jongen werd geduwd.")
    stopped = await parent.say("/stop")
    assert stopped[0] == "Oké, ik ben gestopt. 👍 Uw melding is niet verstuurd."
    for story in ("Tweede melding.", "Derde melding."):  # then the hourly limit
        await report_as_parent(parent, story)
        await parent.press("menu")
    limited = await parent.press("report")
    assert limited[0].startswith("U heeft dit uur al een paar meldingen gestuurd.")
    await parent.say("/vergeet")
    await parent.press("forget_no")
    await parent.say("/vergeet")
    mark = len(fake.sent(parent.id))
    done = await parent.press("forget_yes")
    assert done[0].startswith("Klaar. Ik ben u vergeten.")
    calls = fake.sent(parent.id)
    farewell = next(n for n in range(mark, len(calls)) if "text" in calls[n].params)

    read = what_they_read(fake, parent.id, since, farewell + 1)  # then the role question
    assert len(read) > 100
    spoken_to_as_child = [text for text in read if JE.search(text)]
    assert spoken_to_as_child == []
    assert not [text for text in read if "anoniem" in text and "Kindertelefoon" not in text]


def test_every_dutch_text_for_parents_says_u():
    """The parent flow's texts and every "parent" variant: no "je", "jij" or "jouw"."""
    with (LOCALES / "nl/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po, locale="nl")
    parent = load_flows(FLOWS)["parent"]
    texts = {
        msgid: catalog.get(msgid, context="parent") or catalog.get(msgid)
        for msgid in parent.msgids()
    }
    texts |= {message.id: message for message in catalog if message.context == "parent"}
    dutch = {msgid: message.string if message else "" for msgid, message in texts.items()}
    wrong = {msgid: text for msgid, text in dutch.items() if not text or JE.search(text)}
    assert wrong == {}
