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
        str | None, typer.Argument(help="With --resume: the draft to continue.", show_default=False)
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
    plain: PlainOption = False,
) -> None:
    """Change a stored plan with the same questions, current answers as defaults."""
    from iopcli import drafts
    from iopcli.errors import UsageError
    from iopcli.interview import SECTION_KEYS
    from iopcli.store import open_store

    if section is not None and section not in SECTION_KEYS:
        raise UsageError(f"section {section!r} is not one of {', '.join(SECTION_KEYS)}")
    if add:
        if section not in ("meetings", "resources"):
            raise UsageError("--add goes with the meetings or resources section")
        _add_from_directory(plan, section, add)
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
        for line in copy_entries(body, section, refs, found):
            print(line)
        result = store.save(
            AftercarePlan.model_validate(body),
            base=revision,
            source=f"added from the directory: {', '.join(refs)}",
        )
    print(f"{plan_id[:8]}: saved as revision {result.revision}")


def _interview(draft: Draft, plain: bool) -> None:
    """Run (or resume) a draft to the end: review, save, offer the export."""
    from pydantic import ValidationError

    from iopcli.asking import TerminalAsker
    from iopcli.config import read_config
    from iopcli.interview import Interview, finish
    from iopcli.screens import wants_plain
    from iopcli.store import ConflictError, open_store

    asker = TerminalAsker(plain=wants_plain(plain))
    base: dict[str, Any] = draft.template or {}
    if draft.kind == "edit":
        assert draft.plan_id is not None  # drafts.start("edit") always names the plan
        with open_store(home(), create=False) as store:
            base = store.body(draft.plan_id, draft.base_revision)
    interview = Interview(asker, draft, base, read_config(home()), lookup=_directory_lookup())
    resume_hint = f"Your answers are kept. Continue with: iopcli new --resume {draft.id}"
    try:
        data = interview.run(only=draft.section)
        name = data.get("person", {}).get("name")
        if name and draft.label != name:
            draft.label = str(name)
            draft.save()
        plan = finish(data)
        _show_for_review(asker, plan)
        # Not recorded in the draft: a "no" now must not become a "no" on every resume.
        answer = asker.ask("Save this plan? (y/n)", "y").strip().lower()
        if answer not in ("", "y", "yes"):
            asker.say(resume_hint)
            return
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
    _offer_export(asker, plan.id)


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


def _offer_export(asker: TerminalAsker, plan_id: str) -> None:
    try:
        answer = asker.ask("Write the handout and calendar now? (y/n)", "y").strip().lower()
        if answer not in ("", "y", "yes"):
            return
        folder = asker.ask("Folder", "out").strip() or "out"
    except (KeyboardInterrupt, EOFError):
        return  # the plan is saved; the export can wait
    from iopcli.export import export_options, export_plan
    from iopcli.store import open_store

    with open_store(home(), create=False) as store:
        plan = store.load(plan_id)
    from iopcli.export import default_remind

    options = export_options(remind=default_remind(home()))
    for path in export_plan(plan, Path(folder), options):
        asker.say(f"  {path}")


@app.command("drafts", rich_help_panel=PANEL)
@reports_errors
def drafts_command(
    delete: Annotated[
        str | None, typer.Option("--delete", help="Throw away this draft.", show_default=False)
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
