"""Interview drafts: every answer typed, saved the moment it is given.

A draft is a JSON file of answers keyed by question (``meetings/0/start``), written atomically
after each answer, so Ctrl-C, a closed terminal or a crash loses nothing. Resuming replays the
interview with these answers and asks only what is still unanswered: it continues exactly
where it stopped. Drafts live beside the store, owner-only.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iopcli.errors import IopcliError
from iopcli.files import atomic_write
from iopcli.store import default_home


class DraftError(IopcliError):
    """A draft cannot be found, read or written."""


DRAFTS = "drafts"  # the folder beside the store
INTERNAL_KEYS = frozenset({"plan/id"})  # recorded by the interview itself, not answers


def answers_text(count: int) -> str:
    """'1 answer', '2 answers'."""
    return f"{count} answer" if count == 1 else f"{count} answers"


def drafts_folder(home: Path | None = None) -> Path:
    return (home or default_home()) / DRAFTS


@dataclass
class Draft:
    id: str
    kind: str  # "new" or "edit"
    started: str
    answers: dict[str, str] = field(default_factory=dict)
    plan_id: str | None = None  # edit: the stored plan
    base_revision: int | None = None  # edit: the revision the edit started from
    section: str | None = None  # edit: the one section asked
    template: dict[str, Any] | None = None  # new --from FILE: the plan the answers start from
    label: str = ""  # what `iopcli drafts` shows: the person's name once it is known
    home: Path | None = field(default=None, repr=False)  # where it lives; not saved in it

    @property
    def path(self) -> Path:
        return drafts_folder(self.home) / f"{self.id}.json"

    @property
    def answered(self) -> int:
        """How many questions the person answered (the plan id made for a new plan is not one)."""
        return sum(1 for key in self.answers if key not in INTERNAL_KEYS)

    def record(self, key: str, answer: str) -> None:
        self.answers[key] = answer
        if key == "person/name" and answer:
            self.label = answer
        self.save()

    def save(self) -> None:
        """Write the draft, atomically; a draft with no answer yet is not kept."""
        if not self.answered:
            self.delete()
            return
        folder = drafts_folder(self.home)
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise DraftError(f"{folder}: cannot keep drafts here: {exc.strerror}") from None
        saved = {k: v for k, v in self.__dict__.items() if k != "home"}
        # The answers keep the order they were given in (never sorted): after a resume, `back`
        # forgets the last one typed, which a sorted file would make the alphabetically last.
        data = json.dumps(saved, indent=1, ensure_ascii=False)
        atomic_write(self.path, data.encode("utf-8"))

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)


def start(kind: str, home: Path | None = None, **details: Any) -> Draft:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    draft_id = f"{now[:10]}-{secrets.token_hex(3)}"
    draft = Draft(id=draft_id, kind=kind, started=now, home=home, **details)
    draft.save()
    return draft


def load(draft_id: str, home: Path | None = None) -> Draft:
    path = drafts_folder(home) / f"{draft_id}.json"
    try:
        data = json.loads(path.read_text("utf-8"))
        return Draft(**data, home=home)
    except FileNotFoundError:
        raise DraftError(f"no draft {draft_id!r} (see: iopcli drafts)") from None
    except (OSError, ValueError, TypeError) as exc:
        raise DraftError(f"{path}: this draft cannot be read ({type(exc).__name__})") from None


def all_drafts(home: Path | None = None) -> list[Draft]:
    folder = drafts_folder(home)
    try:
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    except OSError as exc:  # a home folder this user may not read
        raise DraftError(f"{folder}: the drafts cannot be listed: {exc.strerror}") from None
    found = []
    for path in paths:
        try:
            found.append(load(path.stem, home))
        except DraftError:
            continue
    return sorted(found, key=lambda d: d.started)


def erase_plan_drafts(plan_id: str, folder: Path | None = None) -> int:
    """Delete every draft of a stored plan (an interrupted ``edit``), for ``purge``: the
    answers typed into them are the plan's too. A draft that can no longer be read is erased
    if its text names the plan. Returns how many were erased."""
    folder = folder or drafts_folder()
    try:
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    except OSError as exc:
        raise DraftError(f"{folder}: the drafts cannot be listed: {exc.strerror}") from None
    quoted = json.dumps(plan_id).encode("utf-8")
    erased = 0
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DraftError(f"{path}: this draft cannot be checked: {exc.strerror}") from None
        try:
            data = json.loads(raw)
            template = data.get("template") if isinstance(data, dict) else None
            ours = isinstance(data, dict) and (
                data.get("plan_id") == plan_id
                or (isinstance(template, dict) and template.get("id") == plan_id)
            )
        except (ValueError, RecursionError):
            ours = quoted in raw
        if ours:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise DraftError(f"{path}: this draft cannot be erased: {exc.strerror}") from None
            erased += 1
    return erased
