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

PLAN_SUFFIXES = (".yaml", ".yml", ".json")


def is_file_ref(ref: str) -> bool:
    return ref == "-" or ref.lower().endswith(PLAN_SUFFIXES) or Path(ref).exists()


def default_ref(store: Store) -> str:
    """The plan to use when none is named: the configured default, or the only one stored."""
    from iopcli.config import read_config

    configured = read_config().get("default_plan")
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

    def load(self, ref: str | None) -> AftercarePlan:
        """The plan named by ``ref``, or the default plan when ``ref`` is None."""
        if ref is not None and is_file_ref(ref):
            from iopcli.planfile import read_plan

            return read_plan(ref)
        store = self.store
        return store.load(store.resolve(ref) if ref is not None else default_ref(store))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> PlanSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
