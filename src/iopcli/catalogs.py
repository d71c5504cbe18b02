"""The message catalogs: finding the texts in the code, keeping the .po files, compiling them.

Every patient-facing fixed text is marked in the code (``_("...")``, ``N_("...")``,
``ngettext(...)``, see :mod:`iopcli.i18n`). Babel's extractor finds them; :func:`update` merges
them into ``locale/<lang>/LC_MESSAGES/iopcli.po`` (new texts arrive untranslated, texts no longer
in the code are dropped), translators fill in the ``.po``, and :func:`compile_catalog` writes the
``.mo`` the package reads at run time. The compiled ``.mo`` is committed with the ``.po`` (a
``pip install`` needs no build step and no Babel at build time); ``tests/test_i18n.py`` fails when
it is not what the ``.po`` compiles to, or when a text in the code has no translation.

    python -m iopcli.catalogs extract    # merge the code's texts into every .po
    python -m iopcli.catalogs compile    # .po -> .mo
    python -m iopcli.catalogs check      # the untranslated texts and stale .mo files; exit 1 if any

Nothing here is imported by the commands: it is a tool for people changing the texts.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from iopcli.i18n import LANGUAGES, SOURCE

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

PACKAGE = Path(__file__).resolve().parent
DOMAIN = "iopcli"
#: The marker functions of :mod:`iopcli.i18n`, as Babel's extractor takes them.
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Fixed header dates: a catalog changes only when its texts do.
_EPOCH = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def po_path(lang: str) -> Path:
    return PACKAGE / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def translated_languages() -> list[str]:
    return [lang for lang in LANGUAGES if lang != SOURCE]


def template() -> Catalog:
    """Every marked text in the package's code, with the files it is in."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project=DOMAIN, creation_date=_EPOCH, revision_date=_EPOCH)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        catalog.add(
            message,
            None,
            [(f"iopcli/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    for label, where, comment in labels():
        catalog.add(label, None, [(where, 0)], auto_comments=[comment])
    return catalog


def labels() -> list[tuple[str, str, str]]:
    """The labels of the plan's choices (``Choice.label``: "Group therapy", "Every 2 weeks"),
    taken from the enums themselves rather than marked one by one: (label, file, comment).
    Weekdays are left out; their names come from CLDR (:func:`iopcli.i18n.day_name`)."""
    import iopcli.model  # noqa: F401  (defines the choices)
    from iopcli.values import Choice, Weekday

    found: list[tuple[str, str, str]] = []
    pending = list(Choice.__subclasses__())
    while pending:
        kind = pending.pop(0)
        pending += kind.__subclasses__()
        if kind is Weekday:
            continue
        where = f"{kind.__module__.replace('.', '/')}.py"
        found += [(m.english_label, where, f"label of {kind.__name__}.{m.name}") for m in kind]
    return found


def read(lang: str) -> Catalog:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project=DOMAIN, creation_date=_EPOCH, revision_date=_EPOCH)
    with path.open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


def po_bytes(catalog: Catalog) -> bytes:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    # No line numbers: a catalog changes when its texts do, not when code moves around them.
    write_po(out, catalog, width=100, sort_by_file=True, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def update(lang: str) -> Catalog:
    """``lang``'s catalog with the code's texts merged in (not written)."""
    catalog = read(lang)
    catalog.update(template(), no_fuzzy_matching=True, update_creation_date=False)
    catalog.revision_date = _EPOCH
    catalog.obsolete.clear()
    _header(catalog)
    return catalog


def _header(catalog: Catalog) -> None:
    catalog.fuzzy = False
    catalog.header_comment = (
        f"# {catalog.locale_identifier} translations of iopcli's patient-facing texts.\n"
        "# Made with: python -m iopcli.catalogs extract; compiled with: ... compile.\n"
        "# Keep {placeholders} as they are; translate whole sentences."
    )
    catalog.project = DOMAIN
    catalog.version = ""
    catalog.copyright_holder = "the iopcli authors"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "iopcli"
    catalog.language_team = f"{catalog.locale_identifier or ''} (iopcli)"


def compile_catalog(lang: str) -> bytes:
    """The ``.mo`` that ``lang``'s ``.po`` compiles to."""
    return mo_bytes(read(lang))


def missing(lang: str, wanted: Catalog | None = None) -> list[str]:
    """The code's texts (``wanted``: :func:`template` by default) that ``lang``'s catalog does
    not translate (message ids)."""
    catalog = read(lang)
    out = []
    for message in wanted if wanted is not None else template():
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        strings = found.string if found is not None else None
        values = strings if isinstance(strings, tuple | list) else (strings,)
        if found is None or found.fuzzy or not all(values):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def main(argv: list[str]) -> int:
    from iopcli.files import atomic_write, make_folder

    command = argv[0] if argv else ""
    if command not in ("extract", "compile", "check"):
        sys.stderr.write("usage: python -m iopcli.catalogs extract|compile|check\n")
        return 2
    status = 0
    for lang in translated_languages():
        if command == "extract":
            make_folder(po_path(lang).parent)
            atomic_write(po_path(lang), po_bytes(update(lang)), mode=0o644)
            print(f"{po_path(lang)}: {len(missing(lang))} untranslated")
        elif command == "compile":
            atomic_write(mo_path(lang), compile_catalog(lang), mode=0o644)
            print(f"{mo_path(lang)}: written")
        else:
            for text in missing(lang):
                print(f"{po_path(lang).name} ({lang}): not translated: {text!r}")
                status = 1
            if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compile_catalog(lang):
                print(f"{mo_path(lang)}: not compiled from the .po (run: compile)")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
