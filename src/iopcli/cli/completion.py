"""Tab completion for bash, zsh and fish: ``iopcli completion SHELL`` prints the script, and
the completers here say what completes where.

A completion request is the ``iopcli`` command run by the shell on every Tab, with
``_IOPCLI_COMPLETE=complete_SHELL`` and the words typed so far in ``COMP_WORDS`` and
``COMP_CWORD`` (Click's protocol, Typer's instruction names; bash also passes the line itself,
``COMP_LINE`` and ``COMP_POINT``, see :class:`Bash`). It must start as fast as any
command, so nothing here imports pydantic, rich or icalendar: stored plans come from
:mod:`iopcli.store` (which imports neither) and directory listings from a read-only SQLite
query (:mod:`iopcli.directory` loads the plan values, hence pydantic). A request never prints an
error: a missing or damaged store, or anything else going wrong, completes nothing.

Candidates are words that need no quoting: a plan's name as its slug (``dana``, or
``dana-3f6c2a9e`` when two plans share a name) and its short id; what a person reads next to
them in zsh and fish is the name as written. Arguments that also take files fall back to the
shell's own file completion when no stored plan matches. Revisions, settings, drafts, sections,
formats and directory listings complete too.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer

try:
    from typer._click import shell_completion as click_completion
except ImportError:  # a Typer that uses Click itself rather than its own copy
    from click import shell_completion as click_completion  # type: ignore[no-redef]

app = typer.Typer()
PROG = "iopcli"
COMPLETE_VAR = "_IOPCLI_COMPLETE"
SHELLS = ("bash", "zsh", "fish")

#: The sections ``edit PLAN SECTION`` takes (:data:`iopcli.interview.SECTION_KEYS`, which
#: loads the plan model; tests/test_completion.py checks the two agree).
EDIT_SECTIONS = (
    "person",
    "program",
    "clinician",
    "safety_plan",
    "meetings",
    "appointments",
    "medications",
    "resources",
    "relapse_prevention",
    "contacts",
    "goals",
    "notes",
)
#: What ``export --format`` takes (:data:`iopcli.export.FORMATS`; checked by the tests too).
FORMATS = ("md", "ics", "json", "yaml", "fhir", "html", "pdf")
#: The directory's file in the home folder (:data:`iopcli.directory.DB_NAME`).
DIRECTORY_DB = "directory.sqlite3"
#: At most this many directory listings; more, and nothing is offered (type more of the slug):
#: a shortened list would make the shell fill in a common beginning that is not one.
MAX_LISTINGS = 1000

# A candidate's help set to one of these asks the shell for its own file or folder completion
# (Typer's ``autocompletion`` can only return a value and a help text).
_FILES = "\x00file"
_DIRS = "\x00dir"
_PLAIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

Candidates = list[tuple[str, str]]
_typed: list[str] = []  # the complete words of the line being completed (set by _Shell)
Completer = Callable[..., Candidates]


def _by_name(completer: Completer) -> Completer:
    """Typer reads a completer's signature on every start, for every argument that has one;
    evaluating these (string) annotations each time cost ~2 ms a command. Without them it
    passes ``ctx`` and ``incomplete`` by name, as it documents."""
    completer.__annotations__ = {}
    return completer


# --- what completes where ----------------------------------------------------------------


def _home(ctx: typer.Context) -> Path | None:
    """The store's folder as the line typed so far chooses it: ``--home`` (or IOPCLI_HOME,
    which Click reads for that option), else the default."""
    folder = ctx.find_root().params.get("home_folder")
    return Path(folder) if isinstance(folder, str) and folder else None


def plan_candidates(plans: list[tuple[str, str, str, bool]], incomplete: str) -> Candidates:
    """(value, help) for stored plans given as (id, slug, name, archived): each plan by its
    name (the slug, or slug-and-short-id when two plans share it) and, once something is
    typed, by its short id (the whole id when the short one is shared). Only values that
    ``Store.resolve`` takes to that same plan are offered, and only words that need no quoting."""
    from bisect import bisect_left

    from iopcli.slugs import short_id

    def folded(text: str) -> str:
        return " ".join(text.casefold().split())

    ids = sorted(plan_id for plan_id, _, _, _ in plans)
    by_name: dict[str, set[str]] = {}
    by_shown_name: dict[str, set[str]] = {}
    for plan_id, slug, name, _ in plans:
        by_name.setdefault(slug, set()).add(plan_id)
        by_name.setdefault(f"{slug}-{short_id(plan_id)}", set()).add(plan_id)
        by_shown_name.setdefault(folded(name), set()).add(plan_id)

    def resolves(ref: str, plan_id: str) -> bool:
        # As Store.resolve: an exact id first, else exactly one plan by id prefix, slug,
        # slug-and-short-id or the name as shown (any case). Its last resort, a name by its
        # start, is never reached: each candidate matches its own plan.
        start = bisect_left(ids, ref)
        if start < len(ids) and ids[start] == ref:
            return ref == plan_id
        found = {i for i in ids[start : start + 2] if i.startswith(ref)}
        found |= by_name.get(ref, set()) | by_shown_name.get(folded(ref), set())
        return found == {plan_id}

    def first(*refs: str, plan_id: str) -> str | None:
        return next((r for r in refs if _PLAIN_WORD.fullmatch(r) and resolves(r, plan_id)), None)

    out: Candidates = []
    for plan_id, slug, name, archived in plans:
        shown = " ".join(name.split()) + (" (archived)" if archived else "")
        named = first(slug, f"{slug}-{short_id(plan_id)}", plan_id=plan_id)
        if named is not None:
            out.append((named, shown))
        # By id once something is typed (or when the name cannot tell this plan apart).
        by_id = first(plan_id[:8], plan_id, plan_id=plan_id)
        wanted = incomplete or named is None
        if by_id is not None and by_id != named and wanted and by_id.startswith(incomplete):
            out.append((by_id, shown))
    return out


def _stored(ctx: typer.Context, incomplete: str) -> Candidates:
    from iopcli.store import open_store

    archived: bool | None = {"archive": False, "unarchive": True}.get(ctx.info_name or "")
    with open_store(_home(ctx), create=False) as store:
        plans = [
            (p.id, p.slug, p.name, p.archived)
            for p in store.plans(include_archived=True)
            if archived is None or p.archived == archived
        ]
    return plan_candidates(plans, incomplete)


def _quietly(find: Any, *args: Any) -> Candidates:
    """A completer's candidates, or none: a Tab never shows an error."""
    try:
        found: Candidates = find(*args)
        return found
    except Exception:  # a missing or damaged store, an unreadable folder: complete nothing
        if os.environ.get("IOPCLI_DEBUG"):
            raise
        return []


@_by_name
def stored_plan(ctx: typer.Context, incomplete: str) -> Candidates:
    """Stored plans, for the arguments that take only a stored plan."""
    return _quietly(_stored, ctx, incomplete)


@_by_name
def plan_or_file(ctx: typer.Context, incomplete: str) -> Candidates:
    """Stored plans; files when none matches (or what is typed looks like a path)."""
    if not incomplete.startswith((".", "/", "~")) and "/" not in incomplete:
        found = [c for c in _quietly(_stored, ctx, incomplete) if c[0].startswith(incomplete)]
        if found:
            return found
    return [(incomplete, _FILES)]


@_by_name
def files(incomplete: str) -> Candidates:
    """The shell's own file completion."""
    return [(incomplete, _FILES)]


@_by_name
def folders(incomplete: str) -> Candidates:
    """The shell's own folder completion."""
    return [(incomplete, _DIRS)]


@_by_name
def show_sections(incomplete: str) -> Candidates:
    """``show --section``: the parts of the handout, by the names ``edit`` takes too."""
    from iopcli.sections import HANDOUT_SECTIONS, SECTION_NAMES

    return [
        (name, HANDOUT_SECTIONS.get(part or "", "")) for name, (part, _) in SECTION_NAMES.items()
    ]


@_by_name
def edit_sections(incomplete: str) -> Candidates:
    """``edit PLAN SECTION``: the section names (the same list as ``show --section``)."""
    from iopcli.sections import SECTION_NAMES

    return [(name, "") for name, (_, section) in SECTION_NAMES.items() if section is not None]


@_by_name
def formats(incomplete: str) -> Candidates:
    """``export --format md,ics``: the formats not yet given, after the last comma."""
    *given, last = incomplete.split(",")
    before = "".join(part + "," for part in given)
    chosen = {part.strip().lower() for part in given} - {""}
    if not chosen <= set(FORMATS):
        return []  # export would refuse what is already there
    return [(before + f, "") for f in FORMATS if f.startswith(last) and f not in chosen]


@_by_name
def shells(incomplete: str) -> Candidates:
    return [(shell, "") for shell in SHELLS]


def _edit_section(ctx: typer.Context) -> str | None:
    """The SECTION of ``edit PLAN SECTION --add``, read from the words typed: Click leaves the
    arguments unparsed while ``--add`` still waits for its value."""
    section = ctx.params.get("section")
    if section is not None or "edit" not in _typed:
        return section if isinstance(section, str) else None
    words = iter(_typed[_typed.index("edit") + 1 :])
    positional = []
    for word in words:
        if word == "--add":
            next(words, None)
        elif not word.startswith("-"):
            positional.append(word)
    return positional[1] if len(positional) > 1 else None


def _directory_refs(ctx: typer.Context, sql: str, params: tuple[object, ...]) -> Candidates:
    """(ref, name) rows of the directory database for ``sql``, whose last parameter is the
    row limit: none when there are more than :data:`MAX_LISTINGS` or no directory yet."""
    folder = _home(ctx)
    if folder is None:
        from iopcli.store import default_home

        folder = default_home()
    path = folder / DIRECTORY_DB
    if not path.is_file():
        return []
    import sqlite3

    # Read-only: a Tab never creates, migrates or locks anything.
    uri = path.absolute().as_uri() + "?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=2, isolation_level=None)
    try:
        rows = db.execute(sql, (*params, MAX_LISTINGS + 1)).fetchall()
    finally:
        db.close()
    if len(rows) > MAX_LISTINGS:
        return []
    return [
        (str(ref), " ".join(str(name).split()))
        for ref, name in rows
        if not any(ch.isspace() for ch in str(ref))
    ]


def _listings(ctx: typer.Context, incomplete: str) -> Candidates:
    section = _edit_section(ctx)
    if section not in ("meetings", "resources"):
        return []
    # ``find`` takes a bare id when one feed lists it, ``feed:id`` when several do.
    return _directory_refs(
        ctx,
        "WITH shared AS (SELECT source_id FROM entries WHERE kind = ?1"
        " AND removed_at IS NULL GROUP BY source_id HAVING count(*) > 1)"
        " SELECT ref, name FROM (SELECT name, CASE WHEN source_id IN shared"
        " THEN source || ':' || source_id ELSE source_id END AS ref FROM entries"
        " WHERE kind = ?1 AND removed_at IS NULL) WHERE substr(ref, 1, ?2) = ?3"
        " ORDER BY ref LIMIT ?4",
        (section[:-1], len(incomplete), incomplete),
    )


@_by_name
def listing(ctx: typer.Context, incomplete: str) -> Candidates:
    """``edit PLAN meetings --add``: meeting slugs; with ``resources``: resource ids."""
    return _quietly(_listings, ctx, incomplete)


def _programs(ctx: typer.Context, incomplete: str) -> Candidates:
    return _directory_refs(
        ctx,
        "SELECT program_id, name FROM programs WHERE live = 1"
        " AND substr(program_id, 1, ?1) = ?2 ORDER BY program_id LIMIT ?3",
        (len(incomplete), incomplete),
    )


@_by_name
def program(ctx: typer.Context, incomplete: str) -> Candidates:
    """``programs show`` and ``compare``: treatment program ids (the locator's frid)."""
    return _quietly(_programs, ctx, incomplete)


def _revisions(ctx: typer.Context, incomplete: str) -> Candidates:
    plan = ctx.params.get("plan")
    if not isinstance(plan, str) or not plan:
        return []
    from iopcli.store import open_store

    with open_store(_home(ctx), create=False) as store:
        history = store.history(store.resolve(plan))
    return [
        (str(r.number), f"{r.saved_at.astimezone():%Y-%m-%d %H:%M} {' '.join(r.source.split())}")
        for r in reversed(history)
    ]


@_by_name
def revision(ctx: typer.Context, incomplete: str) -> Candidates:
    """``diff PLAN OLD NEW`` and ``restore PLAN REVISION``: the plan's revisions, newest first,
    with when and how each was saved."""
    return _quietly(_revisions, ctx, incomplete)


@_by_name
def setting(incomplete: str) -> Candidates:
    """``config set KEY`` and ``config unset KEY``: the settings, with what each is for."""
    from iopcli.config import KEYS

    return list(KEYS.items())


@_by_name
def setting_value(ctx: typer.Context, incomplete: str) -> Candidates:
    """``config set KEY VALUE``: stored plans for default_plan, true or false for discreet."""
    key = ctx.params.get("key")
    if key == "default_plan":
        return _quietly(_stored, ctx, incomplete)
    if key == "discreet":
        return [("true", ""), ("false", "")]
    return []


def _drafts(ctx: typer.Context, incomplete: str) -> Candidates:
    from iopcli import drafts

    out: Candidates = []
    for d in reversed(drafts.all_drafts(_home(ctx))):  # the latest first
        what = "new plan" if d.kind == "new" else f"edit of {(d.plan_id or '?')[:8]}"
        label = f" for {' '.join(d.label.split())}" if d.label else ""
        out.append((d.id, f"{what}{label}, started {d.started[:16].replace('T', ' ')} UTC"))
    return out


@_by_name
def draft(ctx: typer.Context, incomplete: str) -> Candidates:
    """``new --resume DRAFT`` and ``drafts --delete DRAFT``: the interviews not finished."""
    return _quietly(_drafts, ctx, incomplete)


# --- the shells --------------------------------------------------------------------------

_BASH = """\
%(func)s() {
    local IFS=$'\\n'
    local response completion type value
    response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \\
        COMP_LINE="$COMP_LINE" COMP_POINT=$COMP_POINT %(var)s=complete_bash "$1" 2>/dev/null)
    COMPREPLY=()
    for completion in $response; do
        IFS=',' read -r type value <<< "$completion"
        if [[ $type == dir ]]; then
            compopt -o dirnames
        elif [[ $type == file ]]; then
            compopt -o default
        elif [[ $type == plain ]]; then
            COMPREPLY+=("$value")
        fi
    done
    return 0
}

complete -o nosort -F %(func)s %(prog)s
"""

_ZSH = """\
#compdef %(prog)s

%(func)s() {
    local -a completions described response
    local type key descr
    (( ! $+commands[%(prog)s] )) && return 1
    response=("${(@f)$(env COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT-1)) \\
        %(var)s=complete_zsh %(prog)s 2>/dev/null)}")
    for type key descr in ${response}; do
        if [[ "$type" == plain ]]; then
            if [[ "$descr" == _ ]]; then
                completions+=("$key")
            else
                described+=("$key":"$descr")
            fi
        elif [[ "$type" == dir ]]; then
            _path_files -/
        elif [[ "$type" == file ]]; then
            _path_files -f
        fi
    done
    if [ -n "$described" ]; then
        _describe -V unsorted described -U
    fi
    if [ -n "$completions" ]; then
        compadd -U -V unsorted -a completions
    fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    %(func)s "$@"
else
    compdef %(func)s %(prog)s
fi
"""

_FISH = """\
function %(func)s
    set -l response (env %(var)s=complete_fish COMP_WORDS=(commandline -cp) \\
        COMP_CWORD=(commandline -t) %(prog)s 2>/dev/null)
    for completion in $response
        set -l metadata (string split -m 1 "," -- $completion)
        if test "$metadata[1]" = dir
            __fish_complete_directories $metadata[2]
        else if test "$metadata[1]" = file
            __fish_complete_path $metadata[2]
        else if test "$metadata[1]" = plain
            echo $metadata[2]
        end
    end
end

complete --no-files --command %(prog)s --arguments "(%(func)s)"
"""


class _Shell(click_completion.ShellComplete):
    """What the three shells share: the words from Click's variables, the file and folder
    requests, and silence on any failure."""

    template: ClassVar[str]

    def source_vars(self) -> dict[str, Any]:
        return {"func": self.func_name, "var": self.complete_var, "prog": self.prog_name}

    def source(self) -> str:
        return self.template % self.source_vars()

    def get_completion_args(self) -> tuple[list[str], str]:
        words = click_completion.split_arg_string(os.environ.get("COMP_WORDS", ""))
        try:
            current = int(os.environ.get("COMP_CWORD", ""))
        except ValueError:
            current = len(words)
        args = words[1:current]
        incomplete = words[current] if 0 < current < len(words) else ""
        return args, incomplete

    def get_completions(
        self, args: list[str], incomplete: str
    ) -> list[click_completion.CompletionItem]:
        _typed[:] = args
        items = super().get_completions(args, incomplete)
        wanted = {_FILES: "file", _DIRS: "dir"}
        return [
            click_completion.CompletionItem(item.value, type=wanted[item.help])
            if item.help in wanted
            else item
            for item in items
        ]

    def complete(self) -> str:
        try:
            return super().complete()
        except Exception:  # never a traceback on a Tab: offer nothing instead
            if os.environ.get("IOPCLI_DEBUG"):
                raise
            return ""


class Bash(_Shell):
    """Bash splits words at ``:`` and ``=`` (``COMP_WORDBREAKS``): in ``COMP_WORDS``,
    ``--add feed:slug`` arrives as ``--add feed : slug`` and ``--home=DIR`` as ``--home = DIR``.
    The script also passes the line itself (``COMP_LINE``, ``COMP_POINT``), split here only at
    spaces as the command will be; without it, the pieces before the cursor are joined again.
    Bash replaces only the text after the last ``:``, so candidates go back without what
    comes before it."""

    name = "bash"
    template = _BASH
    _before_colon = ""

    def get_completion_args(self) -> tuple[list[str], str]:
        split_args, current = super().get_completion_args()  # bash's own words
        line = os.environ.get("COMP_LINE")
        if line is None:
            args, incomplete = self._joined(split_args, current)
        else:
            point = os.environ.get("COMP_POINT", "")
            typed = line[: int(point)] if point.isdigit() else line
            # A marker after the cursor tells a new word (after a space) from a started one.
            words = click_completion.split_arg_string(typed + "\x00")
            args, incomplete = words[1:-1], words[-1][:-1] if words else ""
        value = incomplete.partition("=")[2] if incomplete.startswith("-") else incomplete
        # What bash will replace: its current word, after the last ':' it split at.
        if ":" in value and current in (":", value.rpartition(":")[2]):
            self._before_colon = value.rpartition(":")[0] + ":"
        return args, incomplete

    @staticmethod
    def _joined(args: list[str], incomplete: str) -> tuple[list[str], str]:
        if args[-1:] == ["="] and len(args) > 1 and args[-2].startswith("-"):
            args = args[:-1]  # --option=value: Click takes the option, then its value
        while args and (args[-1] == ":" or incomplete == ":"):
            if incomplete == ":":
                incomplete, args = args[-1] + ":", args[:-1]
            elif len(args) > 1:
                incomplete, args = args[-2] + ":" + incomplete, args[:-2]
            else:
                break
        return args, incomplete

    def format_completion(self, item: click_completion.CompletionItem) -> str:
        value = str(item.value)
        if self._before_colon and value.startswith(self._before_colon):
            value = value[len(self._before_colon) :]
        return f"{item.type},{value}"


class Zsh(_Shell):
    name = "zsh"
    template = _ZSH

    def format_completion(self, item: click_completion.CompletionItem) -> str:
        value = item.value.replace(":", r"\:") if item.help else item.value
        return f"{item.type}\n{value}\n{' '.join((item.help or '_').split())}"


class Fish(_Shell):
    name = "fish"
    template = _FISH

    def get_completion_args(self) -> tuple[list[str], str]:
        words = click_completion.split_arg_string(os.environ.get("COMP_WORDS", ""))
        incomplete = os.environ.get("COMP_CWORD", "")
        if incomplete:  # fish gives the line up to the cursor and the word being typed
            words = words[:-1]
        return words[1:], incomplete

    def format_completion(self, item: click_completion.CompletionItem) -> str:
        if item.help:
            return f"{item.type},{item.value}\t{' '.join(item.help.split())}"
        return f"{item.type},{item.value}"


for _shell in (Bash, Zsh, Fish):
    click_completion.add_completion_class(_shell, _shell.name)


def script(shell: str) -> str:
    """The completion script for ``shell`` (bash, zsh or fish)."""
    from iopcli.errors import UsageError

    kinds: dict[str, type[_Shell]] = {"bash": Bash, "zsh": Zsh, "fish": Fish}
    if shell not in kinds:
        raise UsageError(f"iopcli completion: {shell!r} is not one of {', '.join(SHELLS)}")
    names = {"func": f"_{PROG}_completion", "var": COMPLETE_VAR, "prog": PROG}
    return kinds[shell].template % names


@app.command(rich_help_panel="Settings")
def completion(
    shell: Annotated[
        str,
        typer.Argument(
            metavar="SHELL", help="bash, zsh or fish.", autocompletion=shells, show_default=False
        ),
    ],
) -> None:
    """Print the Tab-completion script for bash, zsh or fish."""
    from iopcli.errors import IopcliError

    try:
        text = script(shell)
    except IopcliError as exc:  # the one error here; cli.common is not imported (it uses this)
        for line in exc.lines():
            sys.stderr.write(line + "\n")
        raise typer.Exit(exc.exit_code) from None
    sys.stdout.write(text)
