"""Where a plan named on the command line comes from: a file, standard input, or the store.

``iopcli export dana`` and ``iopcli export dana.yaml`` both work: anything that looks like a
file (``-``, a plan-file extension, or an existing path) is read as one; anything else is
looked up in the store by id, id prefix or slug.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iopcli.model import AftercarePlan
from iopcli.planfile import STDIN, read_plan
from iopcli.store import Store, open_store

PLAN_SUFFIXES = (".yaml", ".yml", ".json")


def is_file_ref(ref: str) -> bool:
    return ref == STDIN or ref.lower().endswith(PLAN_SUFFIXES) or Path(ref).exists()


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

    def load(self, ref: str) -> AftercarePlan:
        if is_file_ref(ref):
            return read_plan(ref)
        store = self.store
        return store.load(store.resolve(ref))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
