"""The interview: ``new``, ``edit`` and ``drafts``.

The questions and their checks live in :mod:`iopcli.interview`; this module connects them to a
terminal, the drafts and the store: it runs a draft to the end, shows the plan for review, saves
it (moving the draft onto a newer revision on a conflict) and offers the export.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from iopcli.cli import completion as complete
from iopcli.cli.common import PlainOption, StoredPlan, home, reports_errors

if TYPE_CHECKING:
    from iopcli.asking import TerminalAsker
    from iopcli.drafts import Draft
    from iopcli.model import AftercarePlan

app = typer.Typer()
PANEL = "The interview"


def _needs_terminal(command: str) -> None:
    from iopcli.errors import UsageError

    if not sys.stdin.isatty():
        raise UsageError(
            f"iopcli {command} asks questions and needs a terminal; in scripts, write a plan"
            " file and use: iopcli import FILE"
        )


@app.command(rich_help_panel=PANEL)
@reports_errors
def new(
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the latest draft (or the one named).")
    ] = False,
    draft_id: Annotated[
        str | None,
        typer.Argument(
            help="With --resume: the draft to continue.",
            show_default=False,
            autocompletion=complete.draft,
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Start from a plan file or template.",
            show_default=False,
            autocompletion=complete.files,
        ),
    ] = None,
    plain: PlainOption = False,
) -> None:
    """Build a plan by answering questions, section by section; saved as you go."""
    from iopcli import drafts
    from iopcli.errors import UsageError

    _needs_terminal("new")
    if resume:
        found = drafts.load(draft_id, home()) if draft_id else _latest_draft()
    elif draft_id:
        raise UsageError("a draft id goes with --resume")
    else:
        base = None
        if template:
            from iopcli.planfile import read_plan
            from iopcli.store import canonical

            loaded = canonical(read_plan(template))
            base = {k: v for k, v in loaded.items() if k not in ("id", "created", "updated")}
        found = drafts.start("new", home(), template=base)
    _interview(found, plain)


def _latest_draft() -> Draft:
    from iopcli import drafts
    from iopcli.errors import UsageError

    every = drafts.all_drafts(home())
    if not every:
        raise UsageError("there is no draft to resume (iopcli new starts one)")
    return every[-1]


@app.command(rich_help_panel=PANEL)
@reports_errors
def edit(
    plan: StoredPlan,
    section: Annotated[
        str | None,
        typer.Argument(
            help="Only this section (default: all of them).",
            show_default=False,
            autocompletion=complete.edit_sections,
        ),
    ] = None,
    add: Annotated[
        list[str] | None,
        typer.Option(
            "--add",
            help="With meetings or resources: add this directory entry, no questions asked.",
            show_default=False,
            autocompletion=complete.listing,
        ),
    ] = None,
    next_program: Annotated[
        str | None,
        typer.Option(
            "--next",
            help="With program: the next program (continuing care) from the programs"
            " directory, by its id (iopcli programs search); no questions asked.",
            show_default=False,
            autocompletion=complete.program,
        ),
    ] = None,
    plain: PlainOption = False,
) -> None:
    """Change a stored plan with the same questions, current answers as defaults."""
    from iopcli import drafts
    from iopcli.errors import UsageError
    from iopcli.sections import SectionNameError, edited_section
    from iopcli.store import open_store

    if section is not None:  # the names show --section takes (iopcli.sections), one list
        typed = section.strip().lower()
        try:
            section = edited_section(section)
        except SectionNameError as exc:
            raise UsageError(f"section {exc}") from None
        if typed == "next":  # the next program alone, without the program's own questions
            section = "next"
    if add:
        if section not in ("meetings", "resources"):
            raise UsageError("--add goes with the meetings or resources section")
        _add_from_directory(plan, section, add)
        return
    if next_program is not None:
        if section not in ("program", "next"):
            raise UsageError("--next goes with the program section: edit PLAN program --next ID")
        _next_from_directory(plan, next_program)
        return
    _needs_terminal("edit")
    with open_store(home(), create=False) as store:
        plan_id = store.resolve(plan)
        revision = store.current_revision(plan_id)
        name = store.load(plan_id).person.name
    found = drafts.start(
        "edit", home(), plan_id=plan_id, base_revision=revision, section=section, label=name
    )
    _interview(found, plain)


def _add_from_directory(plan: str, section: str, refs: list[str]) -> None:
    from iopcli.directory import copy_entries, open_directory
    from iopcli.model import AftercarePlan
    from iopcli.store import open_store

    with open_store(home(), create=False) as store, open_directory(home(), create=False) as found:
        plan_id = store.resolve(plan)
        revision = store.current_revision(plan_id)
        body = store.body(plan_id)
        lines, added = copy_entries(body, section, refs, found)
        for line in lines:
            print(line)
        if not added:
            return
        result = store.save(
            AftercarePlan.model_validate(body),
            base=revision,
            source=f"added from the directory: {', '.join(refs)}",
        )
    print(f"{plan_id[:8]}: saved as revision {result.revision}")


def _next_from_directory(plan: str, program_id: str) -> None:
    from iopcli.continuing_care import choose
    from iopcli.errors import IopcliError
    from iopcli.model import AftercarePlan
    from iopcli.programs import lookup
    from iopcli.store import open_store

    with open_store(home(), create=False) as store:
        plan_id = store.resolve(plan)
        revision = store.current_revision(plan_id)
        body = store.body(plan_id)
        program_id = program_id.strip()  # pasted from a search, with a space around it
        program = lookup(home(), program_id)
        if program is None:
            raise IopcliError(
                f"--next: {program_id!r} is not a program in the programs directory (iopcli"
                " programs search finds one; iopcli programs import FILE adds them)"
            )
        if program.removed_at:
            print(f"note: {program_id} is no longer listed by its source; check it still runs")
        current = AftercarePlan.model_validate(body)
        level = current.program.level_of_care.value
        body["next_program"] = choose(
            body.get("next_program"), program, current.person.region, level
        )
        dropped = _dropped_intake(current, body["next_program"], plan_id)
        result = store.save(
            AftercarePlan.model_validate(body),
            base=revision,
            source=f"next program from the directory: {program_id}",
        )
    what = f"saved as revision {result.revision}" if result.changed else "no changes"
    print(f"{plan_id[:8]}: next program {program.display_name}; {what}")
    if dropped:
        print(dropped)


def _dropped_intake(before: AftercarePlan, chosen: dict[str, Any], plan_id: str) -> str | None:
    """Said when another program replaces one whose intake was booked: that appointment is
    not the new program's, so it leaves the plan (and the calendar), and someone must call."""
    from iopcli.continuing_care import summary

    old = before.next_program
    if old is None or old.intake is None or chosen.get("intake"):
        return None
    booked = summary(old.model_dump(mode="json")).split(", intake ", 1)[-1]
    return (
        f"note: the intake booked at {old.name} ({booked}) is no longer in the plan: cancel it"
        f" with them, and book one with {chosen['name']} (iopcli edit {plan_id[:8]} next)"
    )


def _interview(draft: Draft, plain: bool) -> None:
    """Run (or resume) a draft to the end: review, save, offer the export."""
    from pydantic import ValidationError

    from iopcli.asking import TerminalAsker
    from iopcli.config import read_config
    from iopcli.continuing_care import program_finder
    from iopcli.interview import SECTION_KEYS, Interview, finish, section_lines
    from iopcli.screens import wants_plain
    from iopcli.store import ConflictError, open_store

    asker = TerminalAsker(plain=wants_plain(plain))
    base: dict[str, Any] = draft.template or {}
    if draft.kind == "edit":
        assert draft.plan_id is not None  # drafts.start("edit") always names the plan
        with open_store(home(), create=False) as store:
            base = store.body(draft.plan_id, draft.base_revision)
    config = read_config(home())
    lookup = _directory_lookup()
    programs = program_finder(home())
    interview = Interview(asker, draft, base, config, lookup=lookup, programs=programs)
    resume_hint = f"Your answers are kept. Continue with: iopcli new --resume {draft.id}"
    try:
        data = interview.run(only=draft.section)
        name = data.get("person", {}).get("name")
        if name and draft.label != name:
            draft.label = str(name)
            draft.save()
        plan = finish(data)
        if draft.kind == "edit" and draft.section:
            # One section edited: show that section again, not the whole plan.
            asker.say("")
            shown = "next program" if draft.section == "next" else draft.section
            asker.say(f"Please check ({shown.replace('_', ' ')}):", "bold")
            for line in section_lines(data, draft.section):
                asker.say(line)
        else:
            _show_for_review(asker, plan)
        fixes = 0
        while True:
            sections = _show_warnings(asker, plan)
            # The section to change is recorded (a resume makes the same change); a "no" is not:
            # it must not become a "no" on every resume.
            key = f"review/{fixes + 1}"
            answer = draft.answers.get(key) or _ask_save(asker, sections)
            if answer in ("", "y", "yes"):
                break
            if answer == "back":  # the last question again; the rest replayed as answered
                if not interview.back():
                    asker.say("  This is the first question.")
                data = interview.run(only=draft.section)
                plan, fixes = finish(data), 0
                continue
            if answer not in SECTION_KEYS:
                asker.say(resume_hint)
                return
            draft.record(key, answer)
            fixes += 1
            again = Interview(
                asker, draft, data, config, lookup=lookup, programs=programs, prefix=f"fix{fixes}/"
            )
            data = again.run(only=answer)
            plan = finish(data)
            asker.say("")
            asker.say(f"Changed ({answer.replace('_', ' ')}):", "bold")
            for line in section_lines(data, answer):
                asker.say(line)
    except (KeyboardInterrupt, EOFError):
        asker.say("")
        asker.say(resume_hint if draft.answered else "Nothing was answered: no draft kept.")
        raise typer.Exit(130) from None
    except ValidationError as exc:
        from iopcli.planfile import error_message

        for error in exc.errors(include_url=False):
            path = ".".join(str(p) for p in error["loc"])
            asker.say(f"{path}: {error_message(error, tuple(error['loc']))}", "yellow")
        asker.say(resume_hint)
        raise typer.Exit(1) from None
    with open_store(home()) as store:
        try:
            base_revision = draft.base_revision if draft.kind == "edit" else None
            result = store.save(plan, base=base_revision, source=f"interview ({draft.kind})")
        except ConflictError as exc:
            asker.say(exc.lines()[0], "yellow")
            # Your answers go on top of the newer version when you resume.
            draft.base_revision = store.current_revision(plan.id)
            draft.save()
            asker.say(resume_hint + " (your answers will be applied to the newer version)")
            raise typer.Exit(1) from None
    draft.delete()
    what = f"revision {result.revision}" if result.changed else "no changes"
    asker.say(f"Saved {plan.person.name}'s plan ({plan.id[:8]}): {what}.", "green")
    _offer_export(asker, plan.id, config)


def _directory_lookup() -> Any:
    """A search function over the local directory, if there is one."""
    from iopcli.directory import DB_NAME, open_directory
    from iopcli.store import default_home

    folder = home() or default_home()
    if not (folder / DB_NAME).exists():
        return None

    def lookup(kind: str, words: str) -> list[dict[str, Any]]:
        with open_directory(folder, create=False) as directory:
            return [e.data for e in directory.search(words, kind=kind, limit=8)]

    return lookup


def _show_for_review(asker: TerminalAsker, plan: AftercarePlan) -> None:
    from rich.markdown import Markdown

    from iopcli.markdown import MarkdownOptions, plan_to_markdown

    handout = plan_to_markdown(plan, MarkdownOptions(paper=True, links=False))
    asker.say("")
    asker.say("Please read the plan through:", "bold")
    if asker.plain:
        from iopcli.plain import markdown_to_plain

        asker.say(markdown_to_plain(handout))
    else:
        asker.console.print(Markdown(handout, hyperlinks=False))


def _ask_save(asker: TerminalAsker, sections: list[str]) -> str:
    from iopcli.interview import SECTION_KEYS

    hint = ", ".join(sections) if sections else "e.g. meetings"
    while True:
        answer = asker.ask(f"Save this plan? (y/n, or a section to change: {hint})", "y")
        answer = answer.strip().lower().replace(" ", "_")
        if answer in ("", "y", "yes", "n", "no", "back") or answer in SECTION_KEYS:
            return answer
        if answer == "?":
            asker.say(
                "  y saves the plan; n stops here and keeps the answers in the draft; a section"
                " name asks that section again; 'back' returns to the last question."
            )
            continue
        asker.say(f"  Type y, n, or one of: {', '.join(SECTION_KEYS)}.", "yellow")


def _show_warnings(asker: TerminalAsker, plan: AftercarePlan) -> list[str]:
    """The ``validate --strict`` warnings, before anything is saved; the sections they are in."""
    from iopcli.completeness import check

    problems = check(plan)
    if not problems:
        return []
    asker.say("")
    asker.say("Worth fixing before the person leaves (validate --strict):", "bold")
    sections: list[str] = []
    for problem in problems:
        where = problem.path or ""
        asker.say(f"  ! {where + ': ' if where else ''}{problem.message}", "yellow")
        key = where.split(".")[0].split("[")[0]
        key = "program" if key == "next_program" else key  # asked with the program section
        if key and key not in sections:
            sections.append(key)
    return sections


def _offer_export(asker: TerminalAsker, plan_id: str, config: dict[str, Any]) -> None:
    from iopcli.slugs import short_id
    from iopcli.store import open_store

    with open_store(home(), create=False) as store:
        plan = store.load(plan_id)
        previous = store.earlier_items(plan_id)
    try:
        formats = _ask_formats(asker)
        if formats is None:
            return
        configured = config.get("discreet")
        # Discreet when the clinic or the plan says so: the safe side of a lock screen.
        default = plan.discreet or configured is True
        answer = _ask(
            asker,
            "Discreet calendar titles? The calendar will show 'Meeting', 'Appointment' and"
            " 'Pick up prescription', not the group, clinic or medicine (y/n)",
            "y" if default else "n",
            _WHY_DISCREET,
        )
        discreet = answer.strip().lower() in ("y", "yes") if answer.strip() else default
        if discreet != plan.discreet:
            plan = _keep_discreet(asker, plan, discreet)
        answer = _ask(
            asker,
            f"Put {plan.person.name}'s name in the file names? (y/n; n: plan-{short_id(plan.id)})",
            "n",
            _WHY_NAMES,
        )
        named = answer.strip().lower() in ("y", "yes")
        folder = _ask(asker, "Folder", "out", _WHY_FOLDER).strip() or "out"
    except (KeyboardInterrupt, EOFError):
        return  # the plan is saved; the export can wait
    from iopcli.export import default_remind, export_options, export_plan

    options = export_options(
        formats,
        remind=default_remind(home()),
        discreet=discreet,
        name=None if named else f"plan-{short_id(plan.id)}",
        previous=previous,
    )
    for path in export_plan(plan, Path(folder), options):
        asker.say(f"  {path}")
    if previous is not None:
        gone = _removed(previous, plan)
        if gone:
            asker.say(f"  Cancelled in the calendar: {', '.join(gone)}")


_WHY_EXPORT = (
    "The handout (Markdown) and the calendar file (.ics) for the person to take home; to print"
    " the handout now, give the formats: md,ics,pdf (or html). The plan is saved either way,"
    " and iopcli export can write them later."
)


def _keep_discreet(asker: TerminalAsker, plan: AftercarePlan, discreet: bool) -> AftercarePlan:
    """The titles chosen are kept in the plan: a later ``iopcli export`` (or this question's
    default, which is the clinic's) would otherwise put the group, clinic and medicine back on
    the person's lock screen, under the same event ids, when the calendar is imported again."""
    from iopcli.model import AftercarePlan
    from iopcli.store import open_store

    with open_store(home(), create=False) as store:
        body = store.body(plan.id)
        body["discreet"] = discreet
        result = store.save(
            AftercarePlan.model_validate(body),
            base=store.current_revision(plan.id),
            source="interview (calendar titles)",
        )
        kept = store.load(plan.id)
    which = "Discreet" if discreet else "Full"
    asker.say(f"  {which} titles kept in the plan (revision {result.revision}).")
    return kept


def _ask_formats(asker: TerminalAsker) -> str | None:
    """Which files to write: y for the handout and the calendar, a list of formats (a
    counselor printing at discharge wants the PDF too), or None for n."""
    from iopcli.errors import UsageError
    from iopcli.export import parse_formats

    asker.say("To print the handout too, answer with the formats: md,ics,pdf (or html).")
    while True:
        answer = _ask(asker, "Write the handout and calendar now? (y/n)", "y", _WHY_EXPORT)
        answer = answer.strip().lower().replace(" ", "")
        if answer in ("n", "no"):
            return None
        if answer in ("", "y", "yes"):
            return "md,ics"
        try:
            parse_formats(answer)
        except UsageError as exc:
            asker.say(f"  {str(exc).removeprefix('--format: ')}; or y, or n", "yellow")
            continue
        return answer


_WHY_DISCREET = (
    "Calendars show on lock screens and to people who share the account. Discreet titles name"
    " no fellowship, clinic or medicine; the details stay in the handout."
)
_WHY_NAMES = (
    "File names are seen in folders, e-mail and on USB sticks. Without the name they read"
    " plan- and a short id."
)
_WHY_FOLDER = "Where the files go: a folder, made if needed (owner-only)."


def _ask(asker: TerminalAsker, prompt: str, default: str, why: str) -> str:
    """One export question; ``?`` explains it and asks again."""
    while True:
        answer = asker.ask(prompt, default)
        if answer.strip() != "?":
            return answer
        asker.say(why)


def _removed(previous: AftercarePlan, plan: AftercarePlan) -> list[str]:
    names = []
    for key in ("meetings", "appointments", "medications"):
        now = {item.id for item in getattr(plan, key)}
        for item in getattr(previous, key):
            if item.id not in now:
                names.append(getattr(item, "name", None) or getattr(item, "provider", item.id))
    return names


@app.command("drafts", rich_help_panel=PANEL)
@reports_errors
def drafts_command(
    delete: Annotated[
        str | None,
        typer.Option(
            "--delete",
            help="Throw away this draft.",
            show_default=False,
            autocompletion=complete.draft,
        ),
    ] = None,
) -> None:
    """Interviews not finished yet: continue one with iopcli new --resume ID."""
    from iopcli import drafts

    if delete is not None:
        drafts.load(delete, home()).delete()
        print(f"draft {delete} deleted")
        return
    every = drafts.all_drafts(home())
    if not every:
        print("No drafts.")
        return
    for d in every:
        what = "new plan" if d.kind == "new" else f"edit of {d.plan_id[:8] if d.plan_id else '?'}"
        if d.section:
            what += f" ({d.section})"
        label = f" for {d.label}" if d.label else ""
        print(
            f"{d.id}  {what}{label}, started {d.started[:16].replace('T', ' ')} UTC,"
            f" {drafts.answers_text(d.answered)}"
        )
