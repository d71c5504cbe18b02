"""The guided interview behind ``iopcli new`` and ``iopcli edit``.

The questions are data (:data:`SECTIONS`); one runner asks them through an :class:`Asker`, so the
same interview runs in a terminal (:mod:`iopcli.asking`) or from scripted answers in tests.
Every answer is checked on the spot with the plan model's own field types, then recorded in the
draft under a stable key before the next question. Resuming a draft replays the recorded
answers and asks only the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, TypeAdapter, ValidationError

from iopcli.drafts import Draft
from iopcli.model import (
    AftercarePlan,
    Appointment,
    Contact,
    CopingStrategy,
    Goal,
    Helper,
    Medication,
    Meeting,
    Person,
    Professional,
    Program,
    Resource,
    Trigger,
)
from iopcli.values import PHONE_REGION, Choice

CLEAR = "-"  # typed to leave a field with a default empty


class Asker(Protocol):
    """How the interview talks to a person."""

    def say(self, text: str, style: str = "") -> None: ...

    def ask(self, prompt: str, default: str | None) -> str: ...


def _number_from(size: int, *words: str) -> Callable[[str], str | None]:
    """A check for picking from a numbered list: 1 to ``size``, or one of ``words``
    (Enter is the question's default and never reaches the check)."""

    def check(answer: str) -> str | None:
        if answer.lower() in words or (answer.isdigit() and 1 <= int(answer) <= size):
            return None
        if words:
            return f"Type {', '.join(words)}, or a number from 1 to {size}."
        return f"Type a number from 1 to {size}, or press Enter."

    return check


# --- the questions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Q:
    """One field of a model: what to ask, whether it is needed, where its default comes from."""

    field: str  # dotted within the model's dict: "name", "counselor.phone"
    prompt: str
    required: bool = False
    many: bool = False  # a list typed on one line, separated by commas: "tue, thu"
    default: Callable[[Interview], str | None] | None = None
    when: Callable[[dict[str, Any]], bool] | None = None  # asked only if this holds


@dataclass(frozen=True)
class Strings:
    """A list of short texts, one per answer (warning signs, reasons for living)."""

    field: str
    prompt: str


@dataclass(frozen=True)
class Items:
    """A list of structured items asked in a loop (meetings, contacts)."""

    field: str
    noun: str
    model: type[BaseModel]
    questions: tuple[Q, ...]
    clinic_list: str | None = None  # config key holding a clinic's usual entries


Step = Q | Strings | Items


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    about: str
    model: type[BaseModel] | None  # for sections that are one object (person, program)
    steps: tuple[Step, ...]
    path: str = ""  # where in the plan the section lives ("" = top level)
    skippable: bool = True


def _machine_zone(_: Interview) -> str | None:
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name())
    except Exception:  # no usable local zone: the person types one
        return None


def _config(key: str) -> Callable[[Interview], str | None]:
    def default(interview: Interview) -> str | None:
        value = interview.config.get(key)
        return str(value) if value is not None else None

    return default


def _today(_: Interview) -> str:
    return dt.date.today().isoformat()


def _review_date(interview: Interview) -> str | None:
    discharge = interview.plan.get("program", {}).get("discharge_date")
    try:
        return (dt.date.fromisoformat(str(discharge)) + dt.timedelta(days=30)).isoformat()
    except ValueError:
        return None


def _meeting_end(interview: Interview) -> str | None:
    start = interview.current.get("start")
    if not start:
        return None
    from iopcli.values import parse_time_of_day

    try:
        time = parse_time_of_day(start)
    except ValueError:
        return None
    end = dt.datetime.combine(dt.date(2000, 1, 1), time) + dt.timedelta(hours=1)
    return end.strftime("%H:%M")


def _choices(model: type[BaseModel], name: str) -> str:
    annotation = model.model_fields[name].annotation
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, Choice):
            return ", ".join(member.value for member in candidate)
    return ""


SECTIONS: tuple[Section, ...] = (
    Section(
        "person",
        "About you",
        "The name you want on your plan (a first name is fine), and where you live, so times and"
        " crisis lines are right.",
        Person,
        (
            Q("name", "Name on the plan", required=True),
            Q("pronouns", "Pronouns (optional)"),
            Q(
                "timezone",
                "Time zone",
                required=True,
                default=lambda i: _config("timezone")(i) or _machine_zone(i),
            ),
            Q(
                "region",
                "Country (two letters)",
                default=lambda i: str(i.config.get("region", "US")),
            ),
            Q("language", "Preferred language", default=lambda _: "en"),
        ),
        path="person",
        skippable=False,
    ),
    Section(
        "program",
        "Your program",
        "The program you are leaving, your counselor, and the care that comes next.",
        Program,
        (
            Q("name", "Program or clinic", required=True, default=_config("program")),
            Q("counselor.name", "Counselor's name", default=_config("counselor")),
            Q(
                "counselor.phone",
                "Counselor's phone",
                default=_config("counselor_phone"),
                when=lambda data: bool(_get(data, "counselor.name")),
            ),
            Q("discharge_date", "Discharge date (YYYY-MM-DD)", required=True, default=_today),
            Q("level_of_care", "Care after discharge", default=lambda _: "standard_outpatient"),
            Q("next_review", "Next plan review (YYYY-MM-DD)", default=_review_date),
        ),
        path="program",
        skippable=False,
    ),
    Section(
        "safety_plan",
        "Safety plan",
        "Six steps for a hard moment, in order: notice the signs, cope on your own, be around"
        " others, ask someone for help, call a professional, make your surroundings safe.",
        None,
        (
            Strings("warning_signs", "Step 1. A warning sign that a crisis may be starting"),
            Strings("coping_strategies", "Step 2. Something you can do on your own to feel better"),
            Items(
                "distraction_people",
                "person who helps take your mind off things (step 3)",
                Helper,
                (Q("name", "Name", required=True), Q("phone", "Phone")),
            ),
            Strings("distraction_places", "Step 3. A place or group that helps"),
            Items(
                "people_to_ask",
                "person you can ask for help (step 4)",
                Helper,
                (
                    Q("name", "Name", required=True),
                    Q("relationship", "Who they are to you"),
                    Q("phone", "Phone"),
                ),
            ),
            Items(
                "professionals",
                "professional or agency (step 5)",
                Professional,
                (
                    Q("name", "Name", required=True),
                    Q("role", "Role (clinician, urgent care, emergency dept.)"),
                    Q("phone", "Phone"),
                    Q("after_hours_phone", "After-hours phone"),
                    Q("address", "Address"),
                ),
            ),
            Strings("safe_environment", "Step 6. A way to make your surroundings safer"),
            Strings("reasons_for_living", "A reason for living"),
        ),
        path="safety_plan",
    ),
    Section(
        "meetings",
        "Support groups",
        "Meetings you will go to each week: in person, online, or both.",
        None,
        (
            Items(
                "meetings",
                "meeting",
                Meeting,
                (
                    Q("name", "Meeting name", required=True),
                    Q("fellowship", "Fellowship", default=lambda _: "other"),
                    Q("days", "Day(s), e.g. tue, thu", required=True, many=True),
                    Q("start", "Start time, e.g. 7pm", required=True),
                    Q("end", "End time", default=_meeting_end),
                    Q("timezone", "Time zone of the meeting (Enter: same as yours)"),
                    Q("location", "Place name"),
                    Q("address", "Address"),
                    Q("online_url", "Online link"),
                    Q("online_phone", "Dial-in phone"),
                    Q("online_notes", "Meeting ID / passcode"),
                    Q("notes", "Notes"),
                ),
                clinic_list="meetings",
            ),
        ),
    ),
    Section(
        "appointments",
        "Therapy and appointments",
        "Therapy, psychiatry, medication and doctor visits: the first date and how often.",
        None,
        (
            Items(
                "appointments",
                "appointment",
                Appointment,
                (
                    Q("provider", "With whom", required=True),
                    Q("kind", "Kind", default=lambda _: "individual"),
                    Q("date", "First date (YYYY-MM-DD)", required=True),
                    Q("time", "Time, e.g. 3pm", required=True),
                    Q("duration_minutes", "Minutes", default=lambda _: "60"),
                    Q("repeat", "Repeats", default=lambda _: "once"),
                    Q("address", "Address (in person)"),
                    Q("link", "Video link (telehealth)"),
                    Q("phone", "Phone"),
                    Q("cost_note", "Insurance or cost note"),
                ),
            ),
        ),
    ),
    Section(
        "medications",
        "Medications",
        "What you take, who prescribes it, and when to pick up the next refill.",
        None,
        (
            Items(
                "medications",
                "medication",
                Medication,
                (
                    Q("name", "Medication", required=True),
                    Q("dose", "Dose"),
                    Q("schedule", "When to take it"),
                    Q("prescriber", "Prescriber"),
                    Q("pharmacy", "Pharmacy"),
                    Q("pharmacy_phone", "Pharmacy phone"),
                    Q("next_refill", "Next refill (YYYY-MM-DD)"),
                    Q("refill_every_days", "Refill every how many days"),
                ),
            ),
        ),
    ),
    Section(
        "resources",
        "Local resources",
        "Help nearby: housing, work, food, legal aid, transport and more.",
        None,
        (
            Items(
                "resources",
                "resource",
                Resource,
                (
                    Q("name", "Name", required=True),
                    Q("category", "Category", default=lambda _: "other"),
                    Q("phone", "Phone"),
                    Q("url", "Website"),
                    Q("address", "Address"),
                    Q("hours", "Hours"),
                    Q("verified", "Date checked (YYYY-MM-DD)", default=_today),
                ),
                clinic_list="resources",
            ),
        ),
    ),
    Section(
        "relapse_prevention",
        "Staying on track",
        "Your triggers and what you will do about each, early warning signs, the skills that"
        " help, and what to do after a slip.",
        None,
        (
            Items(
                "triggers",
                "trigger",
                Trigger,
                (
                    Q("trigger", "Trigger", required=True),
                    Q("kind", "Kind (people, places, things, feelings, situations)"),
                    Q("response", "What you will do about it"),
                ),
            ),
            Strings("warning_signs", "An early warning sign"),
            Items(
                "coping_strategies",
                "skill that helps",
                CopingStrategy,
                (
                    Q("strategy", "Skill", required=True),
                    Q("helps_with", "Helps with", default=lambda _: "general"),
                ),
            ),
            Strings("high_risk_situations", "A high-risk situation to plan for"),
            Strings("after_a_lapse", "A step to take after a slip"),
            Strings("reasons_for_recovery", "A reason for your recovery"),
        ),
        path="relapse_prevention",
    ),
    Section(
        "contacts",
        "People who support you",
        "Sponsor, family, friends and peers: who they are and when to call.",
        None,
        (
            Items(
                "contacts",
                "support contact",
                Contact,
                (
                    Q("name", "Name", required=True),
                    Q("role", "Role", default=lambda _: "other"),
                    Q("relationship", "Who they are to you"),
                    Q("phone", "Phone"),
                    Q("when_to_call", "When to call"),
                ),
            ),
        ),
    ),
    Section(
        "goals",
        "Goals",
        "What you want to reach soon and further ahead.",
        None,
        (
            Items(
                "goals",
                "goal",
                Goal,
                (
                    Q("goal", "Goal", required=True),
                    Q("term", "Soon or longer term (short, long)", default=lambda _: "short"),
                    Q("target_date", "By when (YYYY-MM-DD)"),
                ),
            ),
        ),
    ),
    Section("notes", "Notes", "Anything else worth writing down.", None, (Q("notes", "Notes"),)),
)

SECTION_KEYS = tuple(s.key for s in SECTIONS)


# --- checking one answer -------------------------------------------------------------------


def _adapter(model: type[BaseModel], dotted: str) -> TypeAdapter[Any]:
    """A validator for one (possibly nested) field, with its constraints and validators."""
    first, _, rest = dotted.partition(".")
    info = model.model_fields[first]
    if rest:
        inner = info.annotation
        for candidate in (inner, *getattr(inner, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                return _adapter(candidate, rest)
    if not info.metadata:
        return TypeAdapter(info.annotation)  # type: ignore[arg-type]
    return TypeAdapter(Annotated[info.annotation, *info.metadata])  # type: ignore[arg-type]


def check_answer(model: type[BaseModel], dotted: str, value: Any, region: str) -> str | None:
    """None if ``value`` is good for the field, else the reason in plain words."""
    token = PHONE_REGION.set(region)
    try:
        _adapter(model, dotted).validate_python(value)
    except ValidationError as exc:
        from iopcli.planfile import error_message

        error = exc.errors(include_url=False)[0]
        return error_message(error, (dotted.rsplit(".", maxsplit=1)[-1],))
    finally:
        PHONE_REGION.reset(token)
    return None


def _split(answer: str) -> list[str]:
    return [part for part in re.split(r"[,;]\s*|\s+", answer.strip()) if part]


def _get(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    if value is None:
        data.pop(last, None)
    else:
        data[last] = value


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _model_default(model: type[BaseModel], dotted: str) -> str | None:
    first = dotted.split(".", maxsplit=1)[0]
    info = model.model_fields.get(first)
    if info is None or "." in dotted or info.is_required() or info.default is None:
        return None
    value = info.default
    return str(value.value if isinstance(value, Choice) else value)


def _label(item: dict[str, Any]) -> str:
    for key in ("name", "provider", "goal", "trigger", "strategy"):
        if item.get(key):
            return str(item[key])
    return "(item)"


# --- the runner ------------------------------------------------------------------------------


@dataclass
class Interview:
    asker: Asker
    draft: Draft
    base: dict[str, Any]  # the plan the answers start from: {} for new, the stored plan for edit
    config: dict[str, Any] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)
    current: dict[str, Any] = field(default_factory=dict)  # the item being asked
    # Directory look-up for meetings and resources: (kind, words) -> matching items.
    lookup: Callable[[str, str], list[dict[str, Any]]] | None = None

    @property
    def timezone(self) -> str | None:
        value = _get(self.plan, "person.timezone")
        return str(value) if value else None

    @property
    def region(self) -> str:
        return str(_get(self.plan, "person.region") or "US").upper()

    # One question: replayed from the draft if answered before, else asked, checked, recorded.
    def ask(
        self,
        key: str,
        prompt: str,
        *,
        default: str | None = None,
        required: bool = False,
        checker: Callable[[str], str | None] | None = None,
    ) -> str:
        if key in self.draft.answers:
            return self.draft.answers[key]
        while True:
            answer = self.asker.ask(prompt, default).strip()
            if answer == "" and default is not None:
                answer = default
            if answer == CLEAR:
                answer = ""
            if not answer and required:
                self.asker.say("  This one is needed.", "yellow")
                continue
            reason = checker(answer) if answer and checker else None
            if reason:
                self.asker.say(f"  {reason}", "yellow")
                continue
            self.draft.record(key, answer)
            return answer

    def yes(self, key: str, prompt: str, default: bool) -> bool:
        def yes_or_no(answer: str) -> str | None:
            ok = answer.lower() in ("y", "yes", "n", "no")
            return None if ok else "Please answer y or n."

        answer = self.ask(
            key, f"{prompt} (y/n)", default="y" if default else "n", checker=yes_or_no
        )
        return answer.lower().startswith("y")

    # --- running -------------------------------------------------------------------------------

    def run(self, only: str | None = None) -> dict[str, Any]:
        """Ask every section (or one), and return the plan data the answers make."""
        import copy

        self.plan = copy.deepcopy(self.base)
        if "id" not in self.plan:
            self.plan["id"] = self.draft.answers.get("plan/id") or self._new_id()
        sections = [s for s in SECTIONS if only is None or s.key == only]
        skipped = []
        for number, section in enumerate(sections, 1):
            if only is None and not self._enter(section, number, len(sections)):
                skipped.append(section)
                continue
            self._section(section)
        round_ = 0
        while skipped:
            titles = ", ".join(f"{n}. {s.title}" for n, s in enumerate(skipped, 1))
            self.asker.say(f"You skipped: {titles}.")
            answer = self.ask(
                f"return/{round_}",
                "Fill one in now? (number, or Enter to finish)",
                default="",
                checker=_number_from(len(skipped)),
            )
            round_ += 1
            if not answer:
                break
            section = skipped.pop(int(answer) - 1)
            self._section(section)
        return self.plan

    def _new_id(self) -> str:
        plan_id = str(uuid.uuid4())
        self.draft.record("plan/id", plan_id)
        return plan_id

    def _enter(self, section: Section, number: int, total: int) -> bool:
        self.asker.say("")
        self.asker.say(f"{number}/{total} {section.title}", "bold")
        self.asker.say(section.about)
        if not section.skippable:
            return True
        return self.yes(f"{section.key}/go", "Fill this in now?", True)

    def _section(self, section: Section) -> None:
        if section.model is not None:
            self._object(section)
            return
        for step in section.steps:
            if isinstance(step, Strings):
                self._strings(section, step)
            elif isinstance(step, Items):
                self._items(section, step)
            else:
                value = self.ask(
                    f"{section.key}/{step.field}",
                    step.prompt,
                    default=_shown(_get(self.plan, step.field)),
                )
                _set(self.plan, step.field, value or None)

    def _object(self, section: Section) -> None:
        assert section.model is not None
        stored = bool(self.base.get(section.path))
        data = self.plan.setdefault(section.path, {})
        for q in section.steps:
            assert isinstance(q, Q)
            self._field(section.key, section.model, q, data, stored=stored)

    def _field(
        self,
        prefix: str,
        model: type[BaseModel],
        q: Q,
        data: dict[str, Any],
        *,
        stored: bool = False,
    ) -> None:
        self.current = data
        if q.when is not None and not q.when(data):
            _set(data, q.field, None)
            return
        current = _shown(_get(data, q.field))
        if current is None and stored:
            # A stored plan leaves out fields at their default (region US): that default is its
            # current value, not the clinic's.
            current = _model_default(model, q.field)
        default = current if current is not None else (q.default(self) if q.default else None)
        choices = _choices(model, q.field.split(".")[0])
        prompt = f"{q.prompt} ({choices})" if choices and "(" not in q.prompt else q.prompt

        def checker(answer: str) -> str | None:
            value: Any = _split(answer) if q.many else answer
            return check_answer(model, q.field, value, self.region)

        answer = self.ask(
            f"{prefix}/{q.field}", prompt, default=default, required=q.required, checker=checker
        )
        _set(data, q.field, (_split(answer) if q.many else answer) or None)

    def _strings(self, section: Section, step: Strings) -> None:
        path = f"{section.path}.{step.field}" if section.path else step.field
        existing = list(_get(self.plan, path) or [])
        kept = []
        for i, text in enumerate(existing):
            if self.yes(f"{section.key}/{step.field}/keep/{i}", f"Keep {text!r}?", True):
                kept.append(text)
        n = 0
        while True:
            answer = self.ask(
                f"{section.key}/{step.field}/{n}", f"{step.prompt} (Enter when done)", default=""
            )
            if not answer:
                break
            kept.append(answer)
            n += 1
        _set(self.plan, path, kept or None)

    def _items(self, section: Section, step: Items) -> None:
        path = f"{section.path}.{step.field}" if section.path else step.field
        existing = list(_get(self.plan, path) or [])
        kept = []
        for i, item in enumerate(existing):
            if self.yes(f"{section.key}/{step.field}/keep/{i}", f"Keep {_label(item)}?", True):
                kept.append(item)
        if kept:
            self.asker.say("Already there: " + "; ".join(_label(item) for item in kept))
        if self.lookup is not None and step.field in ("meetings", "resources"):
            kept += self._from_directory(f"{section.key}/{step.field}", step)
        clinic = [e for e in self.config.get(step.clinic_list or "", []) if isinstance(e, dict)]
        n = 0
        while True:
            more = "another" if kept else ("an" if step.noun[0] in "aeiou" else "a")
            if clinic:
                listed = ", ".join(f"{i}. {_label(e)}" for i, e in enumerate(clinic, 1))
                self.asker.say(f"From your clinic's list: {listed}")
                answer = self.ask(
                    f"{section.key}/{step.field}/add/{n}",
                    f"Add {more} {step.noun}? (y, n, or a number from the list)",
                    default="n",
                    checker=_number_from(len(clinic), "y", "n"),
                )
                if answer.isdigit():
                    kept.append(dict(clinic[int(answer) - 1]))
                    n += 1
                    continue
                wanted = answer.lower() == "y"
            else:
                wanted = self.yes(
                    f"{section.key}/{step.field}/add/{n}", f"Add {more} {step.noun}?", False
                )
            if not wanted:
                break
            kept.append(self._item(f"{section.key}/{step.field}/{n}", step))
            n += 1
        _set(self.plan, path, kept or None)

    def _from_directory(self, prefix: str, step: Items) -> list[dict[str, Any]]:
        """Offer directory matches: type words, pick by number, until Enter."""
        assert self.lookup is not None
        chosen: list[dict[str, Any]] = []
        n = 0
        while True:
            words = self.ask(
                f"{prefix}/search/{n}",
                f"Look up a {step.noun} in the directory (words, or Enter to skip)",
                default="",
            )
            if not words:
                return chosen
            kept_key = f"{prefix}/item/{n}"
            if kept_key in self.draft.answers:  # picked before an interruption: the same entry
                chosen.append(json.loads(self.draft.answers[kept_key]))
                n += 1
                continue
            found = self.lookup(step.field[:-1], words)[:8]
            if not found:
                self.asker.say("  Nothing found.")
                n += 1
                continue
            for number, item in enumerate(found, 1):
                self.asker.say(f"  {number}. {_label(item)}")
            answer = self.ask(
                f"{prefix}/pick/{n}",
                "Add which? (number, or Enter for none)",
                default="",
                checker=_number_from(len(found)),
            )
            if answer:
                # Keep the entry itself: a resume adds this one even if the directory changed.
                entry = found[int(answer) - 1]
                self.draft.record(kept_key, json.dumps(entry, ensure_ascii=False))
                chosen.append(dict(entry))
            n += 1

    def _item(self, prefix: str, step: Items) -> dict[str, Any]:
        item: dict[str, Any] = {}
        for q in step.questions:
            self._field(prefix, step.model, q, item)
        return item


def prune(value: Any) -> Any:
    """Drop what was left empty (a counselor with no name or phone), recursively."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [], "")}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def finish(data: dict[str, Any]) -> AftercarePlan:
    """The plan the answers make; the model has the last word."""
    return AftercarePlan.model_validate(prune(data))
