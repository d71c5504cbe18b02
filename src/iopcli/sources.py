"""Where a plan named on the command line comes from: a file, standard input, or the store.

``iopcli export dana`` and ``iopcli export dana.yaml`` both work: anything that looks like a
file (``-``, a plan-file extension, or an existing path) is read as one; anything else is
looked up in the store by id, id prefix or slug.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from iopcli.errors import UsageError
from iopcli.store import Store, open_store

if TYPE_CHECKING:
    from iopcli.model import AftercarePlan
    from iopcli.views import Views

PLAN_SUFFIXES = (".yaml", ".yml", ".json")


def is_file_ref(ref: str) -> bool:
    return ref == "-" or ref.lower().endswith(PLAN_SUFFIXES) or Path(ref).exists()


def is_bare_name(ref: str) -> bool:
    """A word that could name a stored plan as well as a file here (``dana``), unlike
    ``./dana``, ``dana.yaml`` or ``-``."""
    return not (
        ref == "-"
        or ref.lower().endswith(PLAN_SUFFIXES)
        or ref.startswith((".", "~"))
        or "/" in ref
        or "\\" in ref
    )


def shadowing(ref: str, store: Store) -> str | None:
    """When ``ref`` is a bare name that is both a file or folder in the current folder and a
    stored plan: the message that asks which one was meant (else None)."""
    if not (is_bare_name(ref) and Path(ref).exists()):
        return None
    from iopcli.store import NotFoundError

    try:
        plan_id = store.resolve(ref)
    except NotFoundError:
        return None
    kind = "folder" if Path(ref).is_dir() else "file"
    return (
        f"{ref!r} is both a {kind} in this folder and the stored plan {plan_id[:8]}: write"
        f" ./{ref} for the {kind}, or {plan_id[:8]} for the stored plan"
    )


def default_ref(store: Store, home: Path | None = None) -> str:
    """The plan to use when none is named: the configured default (the settings in ``home``),
    or the only one stored."""
    from iopcli.config import read_config

    configured = read_config(home).get("default_plan")
    if isinstance(configured, str) and configured:
        return store.resolve(configured)
    plans = store.plans()
    if len(plans) == 1:
        return plans[0].id
    if not plans:
        raise UsageError("no plan is stored yet: name a plan file, or run iopcli import FILE")
    names = ", ".join(f"{p.id[:8]} ({p.name})" for p in plans[:10])
    raise UsageError(
        f"{len(plans)} plans are stored ({names}): name one, or choose a default with"
        " iopcli config set default_plan ID"
    )


@dataclass
class PlanSource:
    """Opens the store only when a stored plan is asked for, and only once."""

    home: Path | None = None
    _store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.home, create=False)
        return self._store

    def stored_id(self, ref: str | None) -> str | None:
        """The id of the stored plan ``ref`` names (the default plan when ``ref`` is None), or
        None when ``ref`` is a plan file."""
        if ref is not None and is_file_ref(ref):
            self._refuse_shadowed(ref)
            return None
        store = self.store
        return store.resolve(ref) if ref is not None else default_ref(store, self.home)

    def load(self, ref: str | None) -> AftercarePlan:
        """The plan named by ``ref``, or the default plan when ``ref`` is None."""
        plan_id = self.stored_id(ref)
        if plan_id is None:
            from iopcli.planfile import read_plan

            return read_plan(str(ref))
        return self.store.load(plan_id)

    def views(self, ref: str | None) -> Views:
        """What the plan named by ``ref`` shows at home (:mod:`iopcli.views`): for a stored
        plan as the store keeps them, without loading the plan model."""
        plan_id = self.stored_id(ref)
        if plan_id is None:
            from iopcli.planfile import read_plan
            from iopcli.views import Views

            return Views.of(read_plan(str(ref)))
        return self.store.views(plan_id)

    def _refuse_shadowed(self, ref: str) -> None:
        if not (is_bare_name(ref) and Path(ref).exists()):
            return
        from iopcli.store import NotFoundError

        try:
            store = self.store
        except NotFoundError:
            return  # no store yet: the name can only mean the file
        message = shadowing(ref, store)
        if message:
            raise UsageError(message)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> PlanSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
