"""The PDF handout, read back with pypdf as a person's PDF reader would: its text (everything the
document says, in order), its links, fonts, pages, the wallet card, large print, and bytes that
depend on the plan only (twice, and across batch ``--jobs``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, Run
from handout_sample import sample_document
from iopcli.batch import run_batch, tasks
from iopcli.document import (
    BREAK,
    Break,
    Document,
    Items,
    Link,
    Paragraph,
    Section,
    Strong,
    Subsection,
    Table,
    Text,
    WalletCard,
    Week,
    WeekEntry,
)
from iopcli.export import export_options
from iopcli.handout import build
from iopcli.html_handout import printed_target
from iopcli.model import AftercarePlan
from iopcli.pdf_handout import CARD_H, CARD_W, PT, document_to_pdf, page_count, uri
from iopcli.planfile import read_plan


def squeeze(value: str) -> str:
    """Text without any white space: lines wrap wherever the page width says."""
    return re.sub(r"\s+", "", value)


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    """Each page's text without its footer (the page number), so a paragraph that runs on to
    the next page reads on."""
    footer = re.compile(r"\s*Page \d+ of \d+\s*$")
    return [footer.sub("", page.extract_text()) for page in reader(data).pages]


def span_words(text: Text) -> Iterator[str]:
    for span in text:
        if isinstance(span, str):
            yield span
        elif isinstance(span, Strong):
            yield span.text
        elif isinstance(span, Link):
            yield span.label
            target = printed_target(span)
            if target:
                yield target


def document_words(document: Document) -> Iterator[str]:
    """Every piece of text the document holds, in order (the week picture aside: its boxes
    show what the table says, cut to fit)."""
    yield document.title
    yield from span_words(document.intro)

    def blocks(items: tuple[object, ...]) -> Iterator[str]:
        for block in items:
            if isinstance(block, Paragraph):
                yield from span_words(block.text)
            elif isinstance(block, Items):
                for item in block.items:
                    yield from span_words(item)
            elif isinstance(block, Table):
                yield from block.header
                for row in block.rows:
                    for cell in row:
                        yield from span_words(cell)
            elif isinstance(block, Subsection):
                yield block.title
                yield from blocks(block.blocks)
            elif isinstance(block, Week | Break):
                continue

    for section in document.sections:
        yield section.title
        yield from blocks(section.blocks)


def assert_in_order(found: str, wanted: list[str]) -> None:
    at = 0
    for piece in (squeeze(w) for w in wanted):
        if not piece:
            continue
        where = found.find(piece, at)
        assert where >= 0, f"{piece!r} not found after position {at}"
        at = where + len(piece)


@dataclass(frozen=True)
class Example:
    plan: AftercarePlan
    document: Document
    data: bytes
    texts: list[str]  # each page's text, read once (extraction is the slow part)


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    made = []
    for path in EXAMPLES:
        plan = read_plan(str(path))
        document = build(plan)
        data = document_to_pdf(document)
        made.append(Example(plan, document, data, page_texts(data)))
    return made


def test_every_word_of_the_handout_is_in_the_pdf_in_order(examples: list[Example]) -> None:
    for example in examples:
        document, data, texts = example.document, example.data, example.texts
        body = squeeze("".join(texts[:-1]))  # the last page is the wallet card
        assert_in_order(body, list(document_words(document)))
        assert page_count(data) == len(texts)
        # The outline (a PDF reader's bookmarks) lists the sections, then the card.
        outline = [item.title for item in reader(data).outline if not isinstance(item, list)]
        assert outline == [section.title for section in document.sections] + ["Wallet card"]


def test_meetings_appointments_phones_crisis_lines_and_safety_steps_are_all_there(
    examples: list[Example],
) -> None:
    for example in examples:
        plan = example.plan
        found = squeeze("".join(example.texts))
        for meeting in plan.meetings:
            assert squeeze(meeting.name) in found
        for appointment in plan.appointments:
            assert squeeze(appointment.provider) in found
        for contact in plan.contacts:
            if contact.phone:
                assert squeeze(contact.phone) in found
        for line in ("988", "741741", "1-800-662-4357", "911"):
            assert line in found
        steps = [
            "Warning signs",
            "Things you can do on your own",
            "People and places",
            "People you can ask for help",
            "Professionals and agencies",
            "Making your surroundings safe",
        ]
        assert_in_order(found.split(squeeze("My safety plan"), 1)[1], steps)


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return document_to_pdf(sample_document())


def test_links_are_annotations_with_their_target_printed(sample_pdf: bytes) -> None:
    data = sample_pdf
    pdf = reader(data)
    targets = {
        annotation.get_object()["/A"]["/URI"]
        for page in pdf.pages
        for annotation in page.get("/Annots", [])
    }
    assert {"tel:+13125550123", "tel:988", "https://988lifeline.org/chat/"} <= targets
    assert not any("javascript" in t for t in targets)
    assert all(t.isascii() and " " not in t for t in targets)
    assert uri("https://example.org/ñandú?q=a b&r=%28x%29") == (
        "https://example.org/%C3%B1and%C3%BA?q=a%20b&r=%28x%29"
    )
    text = squeeze("".join(page_texts(data)))
    assert squeeze("chat online (988lifeline.org/chat)") in text
    # The hostile note and Spanish punctuation come out as typed.
    assert squeeze('<script>alert(1)</script> & </td> "quotes" ‘ñandú’ ¿qué? ¡sí! – — …') in text


def test_fonts_are_embedded_and_cover_spanish() -> None:
    spanish = "¿Dónde está? ¡Aquí! á é í ó ú ü ñ Á É Í Ó Ú Ñ – — … «» € ·"
    document = Document(
        title="Mi plan",
        lang="es",
        intro=(spanish,),
        sections=(Section("notes", "Notas", (Paragraph(("日本 ok",)),)),),
    )
    data = document_to_pdf(document)
    pdf = reader(data)
    fonts = pdf.pages[0]["/Resources"]["/Font"]
    for reference in fonts.values():
        font = reference.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
        assert "DejaVuSans" in font["/BaseFont"]
    text = pdf.pages[0].extract_text()
    assert spanish in text
    # A character the font lacks is shown as the replacement mark, never dropped silently.
    assert "\ufffd\ufffd ok" in text
    assert pdf.metadata is not None
    assert pdf.metadata.title == "Mi plan"
    assert pdf.trailer["/Root"]["/Lang"] == "es"


def test_the_wallet_card_is_alone_on_the_last_page_at_card_size(examples: list[Example]) -> None:
    for example in examples:
        document = example.document
        last = reader(example.data).pages[-1]
        text = squeeze(example.texts[-1])
        card = document.card
        assert card is not None
        assert text.startswith(squeeze("Wallet card"))
        for sign in card.warning_signs:
            assert squeeze(sign)[:20] in text
        for person in card.people:
            assert squeeze("".join(span_words(person)))[:15] in text
        assert "988" in text
        # Nothing of the handout itself shares the page, and the card is on no other page.
        for section in document.sections:
            assert squeeze(section.title) not in text.replace(squeeze("If you are in crisis"), "")
        for page_text in example.texts[:-1]:
            assert "Wallet card" not in page_text
        # The card's outline: two faces of 85.6 x 54 mm side by side (in points).
        content = last.get_contents().get_data().decode("latin-1")
        width, height = 2 * CARD_W / PT, CARD_H / PT
        assert f"{width:.2f} -{height:.2f} re" in content


def test_same_bytes_every_time_and_page_count_read_back(sample_pdf: bytes) -> None:
    first = sample_pdf
    assert document_to_pdf(sample_document()) == first
    assert page_count(first) == len(reader(first).pages)
    assert b"/CreationDate (D:20000101000000Z)" in first


def test_large_print_sets_body_text_at_18_points(sample_pdf: bytes) -> None:
    def sizes(data: bytes) -> set[float]:
        found: set[float] = set()
        for page in reader(data).pages[:-1]:  # the card keeps its small fixed size
            content = page.get_contents().get_data().decode("latin-1")
            found |= {float(s) for s in re.findall(r"/F\d+ ([\d.]+) Tf", content)}
        return found

    standard = sample_pdf
    large = document_to_pdf(sample_document(), large_print=True)
    assert 11.0 in sizes(standard)
    assert 18.0 in sizes(large)
    assert 11.0 not in sizes(large)
    assert len(reader(large).pages) > len(reader(standard).pages)


SMALL_PLAN = """\
id: {id}
person: {{name: Pat {n}, timezone: America/Chicago}}
program: {{name: Riverside IOP, discharge_date: 2027-03-05}}
meetings:
  - {{name: Tuesday Night Group {n}, days: [tue], start: '19:00', address: 1 Main St}}
contacts:
  - {{name: Sam, relationship: brother, phone: '312-555-01{n:02d}'}}
"""


def test_batch_writes_the_same_pdf_and_html_whatever_the_jobs(tmp_path: Path) -> None:
    sources = []
    for n in range(2):
        path = tmp_path / f"plan{n}.yaml"
        path.write_text(SMALL_PLAN.format(id=f"plan-{n}", n=n), encoding="utf-8")
        sources.append(str(path))
    options = export_options("html,pdf", remind=60)
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        result = run_batch(tasks(sources, lambda ref: ("", None), out), out, options, jobs)
        assert result.exported == 2, [r.errors for r in result.records]
        assert result.pages == sum(sum(r.pages.values()) for r in result.records) > 0
        outputs[jobs] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert len(outputs[1]) == 4
    assert outputs[1] == outputs[2]


def test_export_reports_the_page_count(run: Run, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(SMALL_PLAN.format(id="pat", n=7), encoding="utf-8")
    result = run(
        "export", "p.yaml", "--format", "pdf", "--large-print", "--out", "out",
        "--report", "report.json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (written,) = (tmp_path / "out").glob("*.pdf")
    pages = len(reader(written.read_bytes()).pages)
    assert f"(1 files; PDF: {pages} pages)" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["totals"]["pdf_pages"] == pages
    assert report["results"][0]["pages"] == {str(Path("out") / written.name): pages}
    assert written.stat().st_mode & 0o077 == 0


def test_odd_documents_still_render() -> None:
    """Empty parts, a word longer than a line, eight things at once on one day, an entry
    from midnight to midnight, headings nested past h6, an over-full card."""
    long_url = "https://example.org/" + "a" * 150
    entries = [
        WeekEntry(0, dt.time(9, 0), dt.time(10, 0), f"At once {n}", "meeting") for n in range(8)
    ]
    entries.append(
        WeekEntry(6, dt.time(0, 0), dt.time(0, 0), "All night", "appointment", "monthly")
    )
    nested: Subsection = Subsection("d7", (Paragraph(("deepest",)),))
    for level in range(6, 0, -1):
        nested = Subsection(f"d{level}", (nested,))
    document = Document(
        title="T" * 120,
        lang="en",
        intro=(),
        sections=(
            Section(
                "notes",
                "",
                (
                    Paragraph(()),
                    Items(()),
                    Items(((),)),
                    Table(("Only",), ((("",),),)),
                    Table(("A", "B"), ()),
                    Paragraph((Link("x" * 150, long_url), BREAK, BREAK, Strong(""), "\n\ttab")),
                    Week(tuple(entries)),
                    Week(()),
                    nested,
                ),
            ),
        ),
        card=WalletCard(None, ("sign " * 20,) * 6, (("person " * 10,),) * 4, (("line",),) * 6),
    )
    for large_print in (False, True):
        data = document_to_pdf(document, large_print=large_print)
        texts = page_texts(data)
        assert "deepest" in "".join(texts)
        assert squeeze(texts[-1]).startswith("Walletcard")


# What people type, in the scripts the bundled font covers (Latin with Spanish, punctuation);
# not the invisible format characters (a soft hyphen is a place to break a word, not a letter).
LATIN = st.text(
    alphabet=st.characters(
        min_codepoint=0x21, max_codepoint=0x17F, blacklist_categories=("Cc", "Cf")
    )
    | st.sampled_from("–—…‘’“”€•¿¡ñÑ"),
    min_size=1,
    max_size=40,
)


# Each example is a PDF written and read back (~40 ms; the first pays for loading fpdf).
@settings(max_examples=6, deadline=None)
@given(LATIN, LATIN, LATIN)
def test_typed_text_comes_back_out_of_the_pdf(a: str, b: str, c: str) -> None:
    document = Document(
        title=a,
        lang="en",
        intro=(b,),
        sections=(
            Section(
                "notes",
                "Notes",
                (
                    Paragraph(
                        (Strong(c), " ", Link(a, "tel:+13125550123")),
                    ),
                ),
            ),
        ),
    )
    text = squeeze("".join(page_texts(document_to_pdf(document))))
    assert_in_order(text, [a, b, c, a])


def test_fpdf_is_loaded_only_to_write_a_pdf() -> None:
    import subprocess
    import sys

    code = (
        "import sys, iopcli.export, iopcli.batch, iopcli.html_handout, iopcli.cli.plans;"
        " print(sorted(m for m in sys.modules if m.split('.')[0] in ('fpdf', 'fontTools')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


# --- hostile plans (adversarial review) --------------------------------------------------------


def drawn_text(data: bytes) -> list[tuple[int, float, float, str]]:
    """Every piece of text with its page and where it is drawn, in mm from the top left."""
    found: list[tuple[int, float, float, str]] = []
    for number, page in enumerate(reader(data).pages):

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            *_: object,
            n: int = number,
            top: float = float(page.mediabox.height),
        ) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append((n, x * PT, (top - y) * PT, text))

        page.extract_text(visitor_text=visit)
    return found


@pytest.fixture(scope="module")
def hostile() -> tuple[Document, bytes]:
    from hostile_plan import hostile_plan

    document = build(AftercarePlan.model_validate(hostile_plan()))
    return document, document_to_pdf(document)


def test_a_hostile_plan_makes_a_sane_pdf(hostile: tuple[Document, bytes]) -> None:
    """Words wider than a column, a table row taller than a page (fpdf2 raised on both),
    markup and placeholders, meetings past midnight: every word on the page, none off it."""
    from hostile_plan import NASTY

    _document, data = hostile
    pdf = reader(data)
    assert 5 <= len(pdf.pages) <= 30
    width, height = 215.9, 279.4  # Letter, mm
    placed = drawn_text(data)
    off = [(n, x, y, t[:20]) for n, x, y, t in placed if not (0 <= x < width and 0 < y <= height)]
    assert off == []
    text = squeeze("".join(page_texts(data)))
    assert squeeze(NASTY) in text  # as typed, placeholders unfilled
    # The meeting with 10,000 characters of notes is not a table row but its own item.
    assert_in_order(text, ["Day:", "Tuesday", "Time:", "11:30", "What:", "M0", "Where:"])
    # Every meeting is in the week's table, past midnight said in words.
    assert text.count(squeeze("11:30 pm–1:00 am the next day")) >= 3


def test_the_wallet_card_s_words_stay_on_the_card(hostile: tuple[Document, bytes]) -> None:
    """Long warning signs and names are cut with "…" (the handout has them whole) and the
    size comes down to fit: nothing is hidden past the card's edge, the people to call least."""
    _document, data = hostile
    pages = len(reader(data).pages)
    card = [(x, y, t) for n, x, y, t in drawn_text(data) if n == pages - 1]
    top = next(y for x, y, t in card if t.startswith("If you are in crisis"))
    for x, y, t in card:
        if y > top - 1 and not t.startswith("Page "):
            assert 18 <= x <= 18 + 2 * CARD_W, (x, y, t)
            assert y <= top + CARD_H - 3, (x, y, t)
    said = squeeze("".join(t for _x, _y, t in card))
    assert "312-555-0123" in said  # the first person to call
    assert "312-555-0111" in said  # the second
    assert squeeze("988 Suicide & Crisis Lifeline: call or text 988") in said
    # The emergency department's role is in its name already: not said twice.
    assert squeeze("Emergency Department: 312-555-0199") in said
    assert "(Emergencydepartment)" not in squeeze("".join(page_texts(data)))


def test_an_empty_plan_and_200_meetings_at_once(tmp_path: Path) -> None:
    from hostile_plan import empty_plan

    plan = AftercarePlan.model_validate(empty_plan())
    data = document_to_pdf(build(plan))
    assert 2 <= len(reader(data).pages) <= 3
    assert "Lee" in page_texts(data)[0]
    crowded = empty_plan()
    crowded["meetings"] = [
        {"name": f"Group {n}", "days": ["wed"], "start": "19:00"} for n in range(200)
    ]
    data = document_to_pdf(build(AftercarePlan.model_validate(crowded)))
    assert len(reader(data).pages) <= 30
    # 200 boxes side by side in one day's column: thin, but none drawn with a negative width.
    content = reader(data).pages[0].get_contents().get_data().decode("latin-1")
    widths = [float(w) for w in re.findall(r"[\d.]+ [\d.]+ (-?[\d.]+) -?[\d.]+ re", content)]
    assert len(widths) > 200
    assert min(widths) > 0
    text = squeeze("".join(page_texts(data)))
    assert all(f"Group{n}" in text for n in (0, 99, 199))


def test_letters_the_font_lacks_are_named_by_field_not_content(run: Run, tmp_path: Path) -> None:
    """Chinese and an emoji print as U+FFFD in the PDF: the export says which fields, with
    how many characters, and never what they say (a warning; the files are written)."""
    (tmp_path / "p.yaml").write_text(
        "id: cjk\n"
        "person: {name: 李小龙, timezone: America/Chicago, pronouns: '🙂'}\n"
        "program: {name: P, discharge_date: 2027-03-05}\n"
        "contacts:\n"
        "  - {name: Sam, relationship: '兄弟 🙂', phone: 312-555-0100}\n"
        'notes: "ñandú, ÿ, – …, a variation selector\\ufe0f"\n',  # invisible: left out
        encoding="utf-8",
    )
    result = run("export", "p.yaml", "--format", "pdf", "--out", "out", "--report", "r.json")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warned == [
        f"p.yaml:{line}: {path}: warning: {n} character(s) the PDF's font cannot draw, printed"
        " there as \ufffd (the HTML handout shows them)"
        for line, path, n in ((2, "person.name", 3), (5, "contacts.0.relationship", 3))
    ]  # not the pronouns (not printed), not the Spanish letters (the font has them)
    assert "李" not in result.stderr
    assert "兄" not in result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [w.split(": ")[1] for w in report["results"][0]["warnings"]] == [
        "person.name",
        "contacts.0.relationship",
    ]
    (written,) = (tmp_path / "out").glob("*.pdf")
    assert "\ufffd\ufffd\ufffd" in page_texts(written.read_bytes())[0]
    # --quiet: errors and the summary only; the warnings stay in the report.
    quiet = run("export", "p.yaml", "--format", "pdf", "--out", "q", "-q", "--report", "q.json")
    assert quiet.returncode == 0
    (summary,) = quiet.stderr.splitlines()
    assert summary.startswith("iopcli: exported 1 of 1 plans")
    report = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert len(report["results"][0]["warnings"]) == 2


def test_pdf_colours_contrast_and_large_print_is_large_but_for_the_picture() -> None:
    from iopcli import pdf_handout as p

    def luminance(rgb: tuple[int, int, int]) -> float:
        c = [v / 255 for v in rgb]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
        light, dark = sorted((luminance(a), luminance(b)), reverse=True)
        return (light + 0.05) / (dark + 0.05)

    white = (255, 255, 255)
    for ink in (p.INK, p.HEADING, p.LINK):  # text on the page and in header cells
        assert contrast(ink, white) >= 4.5
        assert contrast(ink, (230, 230, 230)) >= 4.5
    for fill, line in ((p.MEETING_FILL, p.MEETING_LINE), (p.APPOINTMENT_FILL, p.APPOINTMENT_LINE)):
        assert contrast(p.INK, fill) >= 4.5  # the words in a box
        assert contrast(line, fill) >= 3  # its border, which tells the kinds apart
    # Large print: every size on the handout's pages is 18 pt or more, page numbers and
    # tables included, but the week's picture (its boxes, the hours, the day names).
    data = document_to_pdf(sample_document(), large_print=True)
    pdf = reader(data)
    sizes: set[float] = set()
    for page in pdf.pages[:-1]:
        content = page.get_contents().get_data().decode("latin-1")
        sizes |= {float(s) for s in re.findall(r"/F\d+ ([\d.]+) Tf", content)}
    small = max(6.5, 18 * 0.6)
    assert {s for s in sizes if s < 18} <= {round(small, 2), round(small * 0.92, 2)}
    # The title shows in a reader's window instead of the file name.
    assert pdf.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712


def test_same_bytes_whatever_the_clock_zone_and_locale(
    run: Run, process: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    """A real process in another time zone and locale, at another time, with two workers,
    writes the bytes this one does: no clock in the creation date, the file id or anywhere."""
    (tmp_path / "p.yaml").write_text(SMALL_PLAN.format(id="pat", n=7), encoding="utf-8")
    here = run("export", "p.yaml", "--format", "pdf,html", "--out", "here", "--jobs", "1")
    assert here.returncode == 0, here.stderr
    there = process(
        "export", "p.yaml", "--format", "pdf,html", "--out", "there", "--jobs", "2",
        TZ="Pacific/Kiritimati", LANG="es_ES.UTF-8", LC_ALL="C.UTF-8", LANGUAGE="es",
        SOURCE_DATE_EPOCH="1",
    )  # fmt: skip
    assert there.returncode == 0, there.stderr
    for written in sorted((tmp_path / "here").iterdir()):
        assert (tmp_path / "there" / written.name).read_bytes() == written.read_bytes()
    data = next((tmp_path / "here").glob("*.pdf")).read_bytes()
    pdf = reader(data)
    assert pdf.metadata is not None
    assert pdf.metadata.get("/CreationDate") == "D:20000101000000Z"
    assert "/ModDate" not in pdf.metadata
    # The file id is the content's: another plan has another one.
    other = reader(document_to_pdf(sample_document())).trailer["/ID"]
    assert pdf.trailer["/ID"][0] == pdf.trailer["/ID"][1] != other[0]


def test_a_table_cell_links_only_when_it_holds_one_target() -> None:
    """fpdf2 links a whole cell: one with a phone and a web address is not a link at all
    (both targets are printed), one with a single target is."""
    both = (
        "Hall; ",
        Link("(312) 555-0155", "tel:+13125550155"),
        "; ",
        Link("join", "https://a.example/j"),
    )
    one = (Link("join", "https://b.example/j"),)
    document = Document(
        "t", "en", (), (Section("week", "Week", (Table(("Where", "Online"), ((both, one),)),)),)
    )
    pdf = reader(document_to_pdf(document))
    targets = [a.get_object()["/A"]["/URI"] for a in pdf.pages[0].get("/Annots", [])]
    assert targets == ["https://b.example/j"]
    text = squeeze(pdf.pages[0].extract_text())
    assert squeeze("(312) 555-0155; join (a.example/j)") in text
