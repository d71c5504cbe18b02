"""The handout as a document (iopcli.handout): what it holds, and that the crisis card and the
handout's crisis section are one list.

Markdown's own escaping is tested in test_markdown.py; here the document itself, and the
Markdown it gives read back by an independent parser (markdown-it-py).
"""

from __future__ import annotations

import html
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from markdown_it import MarkdownIt

from conftest import EXAMPLES, Run
from iopcli.document import BREAK, Document, Items, Link, Paragraph, Strong, Subsection, Table, Week
from iopcli.handout import build, crisis_card, fill, words
from iopcli.markdown import MarkdownOptions, handout_sections, plan_to_markdown
from iopcli.model import AftercarePlan
from iopcli.plain import markdown_to_plain
from iopcli.planfile import read_plan
from iopcli.sections import HANDOUT_SECTIONS
from strategies import plans

DANA = next(p for p in EXAMPLES if p.stem == "alcohol-depression")
MD = MarkdownIt("commonmark").enable(["table"])


def minimal(**extra: Any) -> AftercarePlan:
    data: dict[str, Any] = {
        "id": "minimal-plan",
        "person": {"name": "Alex", "timezone": "America/Chicago"},
        "program": {"name": "Riverside IOP", "discharge_date": "2027-03-05"},
    }
    data.update(extra)
    return AftercarePlan.model_validate(data)


def spans_text(spans: Any) -> str:
    """The words of a run of spans, a line break as a newline."""
    out = ""
    for span in spans:
        if span is BREAK:
            out += "\n"
        elif isinstance(span, str):
            out += span
        elif isinstance(span, Strong):
            out += span.text
        elif isinstance(span, Link):
            out += span.label
    return out


def blocks_text(blocks: Any) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(spans_text(block.text))
        elif isinstance(block, Items):
            out += [spans_text(item) for item in block.items]
        elif isinstance(block, Table):
            out += [" | ".join(spans_text(cell) for cell in row) for row in block.rows]
        elif isinstance(block, Subsection):
            out += [block.title, *blocks_text(block.blocks)]
        elif isinstance(block, Week):
            out += [entry.title for entry in block.entries]
    return out


def document_text(doc: Document) -> str:
    lines = [doc.title, spans_text(doc.intro)]
    for section in doc.sections:
        lines += [section.title, *blocks_text(section.blocks)]
    return "\n".join(" ".join(line.split()) for line in "\n".join(lines).split("\n"))


def shown(value: str) -> list[str]:
    """A person's words as the handout shows them: line by line, spaces collapsed."""
    return [" ".join(line.split()) for line in re.split(r"\r\n|\r|\n", value) if line.split()]


# --- the document ------------------------------------------------------------------------------


def test_sections_follow_the_handout_order_with_titles_and_the_calendar_last() -> None:
    doc = build(read_plan(str(DANA)))
    keys = [s.key for s in doc.sections]
    assert keys == [k for k in HANDOUT_SECTIONS if k in keys] + ["calendar"]
    assert {"crisis", "week", "safety", "notes"} <= set(keys)
    assert doc.title == "My aftercare plan: Dana"
    assert doc.lang == "en"
    crisis = doc.section("crisis")
    assert crisis is not None
    assert crisis.title == "If you are in crisis"
    assert "clinician" not in keys
    private = minimal(clinician={"diagnoses": ["F10.20"]})
    assert "clinician" not in [s.key for s in build(private).sections]
    assert "clinician" in [s.key for s in build(private, clinician=True).sections]


def test_language_comes_from_the_person() -> None:
    assert (
        build(
            minimal(person={"name": "Ana", "timezone": "America/Chicago", "language": "es-MX"})
        ).lang
        == "es-MX"
    )


def test_notes_of_meetings_and_appointments_and_cost_are_in_the_handout() -> None:
    plan = read_plan(str(DANA))
    text = document_text(build(plan))
    for meeting in plan.meetings:
        if meeting.notes:
            assert all(line in text for line in shown(meeting.notes)), meeting.name
    for item in plan.appointments:
        for note in (item.notes, item.cost_note):
            if note:
                assert all(line in text for line in shown(note)), item.provider
    markdown = plan_to_markdown(plan, MarkdownOptions(paper=True))
    assert "cost: In network; $25 copay per session." in markdown


def test_single_line_breaks_are_kept_and_blank_lines_make_paragraphs() -> None:
    plan = minimal(
        notes="First line\nsecond line\n\nA new paragraph",
        meetings=[
            {"name": "Hope", "days": "tue", "start": "7pm", "notes": "Side door\nRing twice"}
        ],
    )
    doc = build(plan)
    notes = doc.section("notes")
    assert notes is not None
    assert notes.blocks == (
        Paragraph(("First line", BREAK, "second line")),
        Paragraph(("A new paragraph",)),
    )
    for paper in (False, True):
        out = plan_to_markdown(plan, MarkdownOptions(paper=paper))
        rendered = MD.render(out)
        assert "First line<br />\nsecond line" in rendered
        if paper:  # a list keeps the break; a table cell cannot
            assert "Side door<br />\nRing twice" in rendered
        else:
            assert "Side door / Ring twice" in rendered


def test_trigger_kinds_are_plain_words() -> None:
    plan = minimal(
        relapse_prevention={
            "triggers": [
                {"trigger": "Payday", "kind": kind, "response": "Call Sam"}
                for kind in ("people", "places", "things", "feelings", "situations")
            ]
        }
    )
    section = build(plan).section("relapse")
    assert section is not None
    lines = blocks_text(section.blocks)
    for said in ("(people)", "(a place)", "(a thing)", "(a feeling)", "(a situation)"):
        assert f"Payday {said}: Call Sam" in lines
    assert "(situations)" not in "\n".join(lines)


def test_the_week_picture_has_every_weekday_entry_with_its_cadence() -> None:
    plan = minimal(
        meetings=[
            {"name": "Hope", "days": ["tue", "thu"], "start": "7pm"},
            {
                "name": "Family",
                "days": "wed",
                "start": "7pm",
                "repeat": "every other week",
                "first_date": "2027-03-17",
            },
            {"name": "Steps", "days": "fri", "start": "6pm", "weeks": "1st and 3rd"},
        ],
        appointments=[
            {"provider": "Dr. Lee", "date": "2027-03-08", "time": "3pm", "repeat": "monthly"},
            {"provider": "Jo", "date": "2027-03-09", "time": "9am", "repeat": "every_2_weeks"},
            {"provider": "Once", "date": "2027-03-10", "time": "9am"},
        ],
    )
    section = build(plan).section("week")
    assert section is not None
    (week,) = [b for b in section.blocks if isinstance(b, Week)]
    assert any(isinstance(b, Table) for b in section.blocks)  # the words beside the picture
    got = [(e.weekday, e.title, e.kind, e.cadence) for e in week.entries]
    assert got == [
        (0, "Appointment: Dr. Lee", "appointment", "day 8 of the month"),
        (1, "Appointment: Jo", "appointment", "every 2 weeks"),
        (1, "Hope", "meeting", None),
        (2, "Family", "meeting", "every other week"),
        (3, "Hope", "meeting", None),
        (4, "Steps", "meeting", "1st and 3rd Friday of the month"),
    ]
    assert len(week.days) == 7


def test_wallet_card_has_warning_signs_two_people_the_lines_and_the_emergency_department() -> None:
    card = build(read_plan(str(DANA))).card
    assert card is not None
    assert card.name == "Dana"
    assert 1 <= len(card.warning_signs) <= 3
    assert [spans_text(p).split(" (")[0] for p in card.people] == ["Renee", "Kim"]
    assert any("988" in spans_text(line) for line in card.lines)
    assert card.emergency is not None
    assert "4100 N Marlowe Ave, Chicago, IL 60613" in spans_text(card.emergency)
    assert "Emergency Department" in spans_text(card.emergency)
    # Without an emergency department, urgent care is where to go; "ER" and "ED" are one too.
    for role, name in (
        ("Urgent care", "Fairmount Urgent Care"),
        (None, "Mercy ER"),
        ("ED", "Mercy"),
    ):
        pros = [{"name": "Jordan", "role": "Clinician", "phone": "312-555-0100"}]
        pros.append({"name": name, "address": "1 Main St", **({"role": role} if role else {})})
        card = build(minimal(safety_plan={"professionals": pros})).card
        assert card is not None
        assert card.emergency is not None
        assert spans_text(card.emergency).startswith(name)
    plain = build(minimal(safety_plan={"professionals": pros[:1]})).card
    assert plain is not None
    assert plain.emergency is None
    # the two people are two who can be called
    people = [{"name": "No phone"}, {"name": "Sam", "phone": "312-555-0101"}]
    people += [{"name": "Lee", "phone": "312-555-0102"}, {"name": "Kai", "phone": "312-555-0103"}]
    card = build(minimal(safety_plan={"people_to_ask": people})).card
    assert card is not None
    assert [spans_text(p).split(":")[0] for p in card.people] == ["Sam", "Lee"]


def test_the_card_says_call_or_text_and_a_role_only_when_the_name_does_not(run: Run) -> None:
    """988 takes texts: the wallet card says so, as the crisis section does. A role the name
    already says ("... Emergency Department (Emergency department)") is not repeated, on the
    card, in the handout or by iopcli crisis; one the name does not say is kept."""
    document = build(read_plan(str(DANA)))
    card = document.card
    assert card is not None
    assert spans_text(card.lines[0]) == "988 Suicide & Crisis Lifeline: call or text 988"
    assert card.emergency is not None
    assert spans_text(card.emergency).startswith("Marlowe Community Hospital Emergency Department:")
    crisis = plan_to_markdown(read_plan(str(DANA)))
    assert "(Emergency department)" not in crisis
    assert "**Jordan, therapist** (Clinician)" in crisis
    out = run("crisis", str(DANA)).stdout
    assert "  - Marlowe Community Hospital Emergency Department: (312) 555-0199" in out
    assert "  - Jordan, therapist (Clinician): (312) 555-0155" in out
    pros = [
        {"name": "Aunt Rosa", "role": "aunt", "phone": "312-555-0100"},
        {"name": "ER", "role": "er", "phone": "312-555-0101"},  # the same: which was meant
    ]
    said = build(minimal(safety_plan={"professionals": pros})).section("crisis")
    assert said is not None
    text = " ".join(
        spans_text(item) for b in said.blocks if isinstance(b, Items) for item in b.items
    )
    assert "Aunt Rosa: " in text
    assert "ER (er): " in text


def test_the_wallet_card_cuts_long_words_to_fit() -> None:
    from iopcli.handout import brief

    assert brief("Sleeping   past\nnoon", 70) == "Sleeping past noon"
    assert brief("one two three four five six", 15) == "one two three…"
    assert brief("x" * 100, 10) == "x" * 9 + "…"
    assert brief(None, 5) is None
    people = [{"name": "N" * 150, "relationship": "r " * 60, "phone": "312-555-0101"}]
    signs = ["sign " * 100] * 4
    card = build(minimal(safety_plan={"people_to_ask": people, "warning_signs": signs})).card
    assert card is not None
    assert [len(s) <= 70 for s in card.warning_signs] == [True, True, True]  # of 4, 500 each
    assert all(s.endswith("…") for s in card.warning_signs)
    assert spans_text(card.people[0]).startswith("N" * 39 + "… (")
    assert spans_text(card.people[0]).endswith(": 312-555-0101")


def test_fill_puts_spans_into_a_whole_sentence() -> None:
    link = Link("(312) 555-0142", "tel:+13125550142", "phone")
    assert fill("Your counselor: {name}, {phone}.", name="Alicia", phone=link) == (
        "Your counselor: ",
        "Alicia",
        ", ",
        link,
        ".",
    )
    assert words("a\n\n  b  c\r\nd") == ("a", BREAK, "b c", BREAK, "d")


# --- one list for the crisis card and the handout ------------------------------------------


def _card_items(out: str) -> dict[str, list[str]]:
    """``iopcli crisis --plain`` output: its headings and their items."""
    parts: dict[str, list[str]] = {}
    heading = ""
    for line in out.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            heading = line[:-1]
            parts[heading] = []
        elif line.startswith("  - "):
            parts[heading].append(line[4:])
    return parts


def test_the_crisis_card_and_the_handout_list_the_same_people_numbers_and_lines(
    run: Run,
) -> None:
    for path in EXAMPLES:
        plan = read_plan(str(path))
        if plan.person.language != "en":
            continue  # the headings read here are the English ones
        result = run("crisis", str(path), "--plain")
        assert result.returncode == 0, result.stderr
        card = _card_items(result.stdout)
        section = handout_sections(plan, MarkdownOptions(links=False))["crisis"]
        plain = markdown_to_plain(section)
        items = [line[2:] for line in plain.splitlines() if line.startswith("- ")]
        # people and professionals: word for word, in the same order
        personal = card.get("People you can call", []) + card.get("Professionals", [])
        assert personal
        assert [i for i in items if i in personal] == personal
        # the counselor is among the professionals in both
        assert any("(counselor)" in p for p in card["Professionals"])
        # every crisis line, by name and number
        lines = card["Crisis lines, free, day and night"]
        for line in lines:
            name = line.split(": ")[0]
            assert any(i.startswith(f"{name}: ") for i in items), name
        numbers = set(re.findall(r"\d[\d-]{2,}\d", "\n".join(lines)))
        assert numbers <= set(re.findall(r"\d[\d-]{2,}\d", plain))
        # the emergency department's address, on the card too
        assert any("4100 N Marlowe Ave" in p for p in personal) == (path == DANA)


def test_crisis_lines_follow_one_rule_in_both() -> None:
    nobody = minimal(safety_plan={"include_crisis_lines": False})
    someone = minimal(
        safety_plan={
            "include_crisis_lines": False,
            "people_to_ask": [{"name": "Sam", "phone": "312-555-0100"}],
        }
    )
    assert crisis_card(nobody).lines  # nobody else to call: the lines are shown anyway
    assert "988" in handout_sections(nobody)["crisis"]
    assert not crisis_card(someone).lines
    assert "988" not in handout_sections(someone)["crisis"]


# --- any plan ------------------------------------------------------------------------------


def _user_strings(plan: AftercarePlan) -> list[str]:
    """The words a person typed that the handout shows (all but the clinician's part, ids
    and codes): every string of the plan as stored under those fields."""
    body = plan.model_dump(mode="json", exclude_defaults=True)
    skip = {
        "id",
        "clinician",
        "timezone",
        "language",
        "region",
        "types",
        "pronouns",
        "schema_version",
        "created",
        "updated",
        "source",
        "service",
        "handle",
        "kind",
        "online_url",
        "url",
        "link",
        "website",
        "email",
        "days",
        "weeks",
        "repeat",
        "fellowship",
        "category",
        "role",
        "helps_with",
        "term",
        "attendance",
        "short_months",
        "start",
        "end",
        "time",
        "date",
        "first_date",
        "next_refill",
        "discharge_date",
        "next_review",
        "target_date",
        "verified",
        "level_of_care",
        "type_names",
        "next_program",
        "postal_code",
    }
    out: list[str] = []

    def walk(value: Any, key: str) -> None:
        if key in skip:
            return
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(body, "")
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_any_plan_builds_and_renders_with_every_word_literal(plan: AftercarePlan) -> None:
    doc = build(plan)
    text = document_text(doc)
    out = plan_to_markdown(plan)
    rendered = MD.render(out)
    bare = re.sub(r"<(?!br )[^>]*>", "", rendered)
    # A line break is <br /> in a paragraph and " / " in a table cell; " / " may also be typed.
    pages = [
        html.unescape(re.sub(pattern, "\n", bare)).replace("\ufffd", "\x00")
        for pattern in (r"<br />\n| / ", r"<br />\n")
    ]
    for value in _user_strings(plan):
        for line in shown(value):
            assert line in text, line
            # and in the Markdown read back, literally
            assert any(line in page for page in pages), line


# --- one list of section names -------------------------------------------------------------


def test_show_and_edit_take_the_same_section_names(run: Run) -> None:
    from iopcli.sections import SECTION_NAMES, edited_section, shown_part

    for name, (part, section) in SECTION_NAMES.items():
        assert part is None or part == "title" or part in HANDOUT_SECTIONS
        shown = run("show", str(DANA), "--section", name)
        edit = run("edit", "no-such-plan", name)
        if part is None:
            assert shown.returncode == 2
            assert "never shown" in shown.stderr
        else:
            assert shown.returncode == 0, shown.stderr
            assert shown.stdout == run("show", str(DANA), "--section", part).stdout or (
                part == "title"
            )
            assert shown_part(name) == part
        # edit knows every name: a plan that is not there is the only complaint
        assert "is not one of" not in edit.stderr
        if section is None:
            assert edit.returncode == 2
            assert "meetings or appointments" in edit.stderr
        else:
            assert edited_section(name) == section


def test_every_free_text_field_reaches_the_handout() -> None:
    """Nothing typed is dropped: each free-text field of each example, set to a word of its
    own, is in the handout (the pronouns aside: the handout speaks to the person as "you"; the
    clinician's part only with --clinician)."""
    from test_markdown import example, sentinels

    for path in EXAMPLES:
        plan, words = sentinels(example(path))
        out = plan_to_markdown(plan, MarkdownOptions(clinician=True))
        assert [p for p, word in words.items() if word not in out] == ["person.pronouns"]
        plain = plan_to_markdown(plan)
        assert not [w for p, w in words.items() if w in plain and p.startswith("clinician.")]
        assert all(
            w in plain for p, w in words.items() if not p.startswith(("clinician.", "person.pro"))
        )
