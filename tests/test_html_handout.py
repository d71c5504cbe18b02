"""The HTML handout: valid HTML5 (html5lib, strict), self-contained, accessible, printable.

Checked on a hand-built document (every block kind, hostile text) and on the handouts of the
bundled examples as the real builder makes them.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLES, Run
from handout_sample import HOSTILE, sample_document
from iopcli.document import Document, Items, Link, Paragraph, Section, Strong
from iopcli.html_handout import document_to_html, printed_target, week_lanes
from iopcli.planfile import read_plan

NS = "{http://www.w3.org/1999/xhtml}"


def parse(page: str) -> ET.Element:
    """Strict HTML5 parsing: any parse error (a stray tag, a bad character) raises."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(page)


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(NS)


def words(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.fixture(scope="module")
def examples() -> list[tuple[Document, str]]:
    from iopcli.handout import build

    documents = [build(read_plan(str(path))) for path in EXAMPLES]
    return [(document, document_to_html(document)) for document in documents]


def check_structure(page: str, document: Document) -> ET.Element:
    root = parse(page)
    assert tag(root) == "html"
    assert root.get("lang") == document.lang
    head = root.find(f"{NS}head")
    assert head is not None
    metas = {m.get("name"): m.get("content") for m in head.iter(f"{NS}meta")}
    assert "width=device-width" in (metas.get("viewport") or "")
    policy = {m.get("http-equiv"): m.get("content") for m in head.iter(f"{NS}meta")}
    assert (policy.get("Content-Security-Policy") or "").startswith("default-src 'none';")
    # Headings in order: one h1 first, and never a level skipped on the way down.
    levels = [int(tag(e)[1]) for e in root.iter() if re.fullmatch(r"h[1-6]", tag(e))]
    assert levels[0] == 1
    assert levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels
    # Self-contained: no script, nothing fetched (src, link, CSS url() or @import), links
    # only from <a> and only to the schemes we write.
    for element in root.iter():
        assert tag(element) not in ("script", "iframe", "object", "embed", "img", "link")
        assert element.get("src") is None
        assert not any(name.startswith("on") for name in element.attrib)
        if element.get("href") is not None:
            assert tag(element) == "a"
            assert element.get("href", "").startswith(("https:", "http:", "tel:", "mailto:"))
    styles = "".join("".join(s.itertext()) for s in root.iter(f"{NS}style"))
    styles += "".join(e.get("style", "") for e in root.iter())
    assert "url(" not in styles
    assert "@import" not in styles
    # Tables: a header cell for every column, each with its scope.
    for table in root.iter(f"{NS}table"):
        headers = list(table.iter(f"{NS}th"))
        assert headers
        assert all(th.get("scope") == "col" for th in headers)
    return root


def test_a_hand_built_document_is_valid_self_contained_html5() -> None:
    document = sample_document()
    root = check_structure(document_to_html(document), document)
    text = words(root)
    # A person's words come out as literal text: the hostile note is text, not markup.
    assert " ".join(HOSTILE.split()) in text
    # A link to a scheme we do not write is only its label.
    assert "bad" in text
    assert not any("javascript" in (a.get("href") or "") for a in root.iter(f"{NS}a"))
    # A line typed line by line keeps its breaks.
    notes = next(s for s in root.iter(f"{NS}section") if "notes" in (s.get("class") or ""))
    assert len(list(notes.iter(f"{NS}br"))) == 2


def test_the_examples_are_valid_self_contained_html5(
    examples: list[tuple[Document, str]],
) -> None:
    for document, page in examples:
        root = check_structure(page, document)
        text = words(root)
        for section in document.sections:
            assert section.title in text


def test_links_print_their_target_on_paper() -> None:
    page = document_to_html(sample_document())
    root = parse(page)
    chat = next(a for a in root.iter(f"{NS}a") if a.get("href") == "https://988lifeline.org/chat/")
    after = next(
        s for s in root.iter(f"{NS}span") if "(988lifeline.org/chat)" in "".join(s.itertext())
    )
    assert words(chat) == "chat online"
    assert "target" in (after.get("class") or "")
    # Hidden on a screen (the link works there), printed on paper.
    assert re.search(r"@media print \{[^@]*\.target \{ display: inline; \}", page)
    # A number shown as the label prints once, not twice.
    assert printed_target(Link("(312) 555-0123", "tel:+13125550123", "phone")) is None
    assert printed_target(Link("Renee", "tel:+13125550123", "phone")) == "+13125550123"
    assert printed_target(Link("website", "https://example.org/x/", "web")) == "example.org/x"
    assert printed_target(Link("x", "https://a.example/", "web", "a.example")) == "a.example"


def test_the_week_at_a_glance_is_a_picture_and_the_table_stays_for_screen_readers() -> None:
    document = sample_document()
    root = parse(document_to_html(document))
    figure = next(root.iter(f"{NS}figure"))
    assert figure.get("aria-hidden") == "true"
    blocks = [e for e in figure.iter(f"{NS}div") if (e.get("class") or "").startswith("block ")]
    week = next(b for s in document.sections for b in s.blocks if hasattr(b, "entries"))
    assert len(blocks) == len(week.entries)
    for entry in week.entries:
        assert any(
            entry.title in words(block) and entry.kind in (block.get("class") or "")
            for block in blocks
        )
    # The cadence in words, not only a colour or a border.
    assert any("every other week" in words(b) for b in blocks)
    assert any("2nd Friday of the month" in words(b) for b in blocks)
    # Kinds differ by a word and the border style, colour aside.
    assert any(words(b).startswith("Appointment") for b in blocks)
    assert any(words(b).startswith("Meeting") for b in blocks)
    # Two things at once on Tuesday sit side by side, each at its own time.
    days, lanes, first, last = week_lanes(week)
    assert lanes[1] == 2
    assert (first, last) == (9, 24)
    tuesday = {p.entry.title: (p.lane, p.start) for p in days[1]}
    assert tuesday["Overlapping check-in"] == (1, 18 * 60)
    # The words stay outside the hidden picture: the table follows it.
    tables = list(root.iter(f"{NS}table"))
    assert tables
    assert not list(figure.iter(f"{NS}table"))


def test_the_wallet_card_is_last_on_its_own_page_at_card_size() -> None:
    document = sample_document()
    page = document_to_html(document)
    root = parse(page)
    body = root.find(f"{NS}body")
    assert body is not None
    # The card is the last part of <main>: nothing on the page lies outside a landmark.
    assert [tag(e) for e in body] == ["main"]
    last = list(body[0])[-1]
    assert tag(last) == "section"
    assert "wallet" in (last.get("class") or "")
    text = words(last)
    for sign in document.card.warning_signs if document.card else ():
        assert sign in text
    assert "Renee" in text
    assert "Kim" in text
    assert "988" in text
    assert "Emergency department" in text
    assert "width: 85.6mm; height: 54mm;" in page
    assert re.search(r"section\.wallet \{ break-before: page;", page)
    # Letter and A4 alike: margins only, no fixed paper size.
    assert "@page { margin: 15mm 14mm; }" in page
    assert "size:" not in page.split("@page", 1)[1].split("}", 1)[0]


def test_print_rules_keep_headings_with_what_follows_and_rows_whole() -> None:
    page = document_to_html(sample_document())
    assert re.search(r"h1, h2, h3, h4 \{[^}]*break-after: avoid", page)
    assert re.search(r"tr, li, \.block \{ break-inside: avoid", page)
    assert "thead { display: table-header-group; }" in page


def test_large_print_sets_body_text_at_18_points() -> None:
    standard = document_to_html(sample_document())
    large = document_to_html(sample_document(), large_print=True)
    assert "html { font-size: 12pt; }" in standard
    assert "html { font-size: 18pt; }" in large
    assert re.search(r"@media print \{\s*html \{ font-size: 18pt; \}", large)
    assert parse(large) is not None


def test_lang_is_the_language_the_page_is_written_in() -> None:
    from iopcli.i18n import language

    with language("es"):
        assert parse(document_to_html(sample_document(lang="es-MX"))).get("lang") == "es-MX"
        # --lang es on an English plan: the fixed texts, so the page, are Spanish.
        assert parse(document_to_html(sample_document(lang="en"))).get("lang") == "es"
    assert parse(document_to_html(sample_document(lang="en-US"))).get("lang") == "en-US"


# Any text a person might type: letters of every script, punctuation, symbols, markup.
TYPED = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Co", "Cn"),
        blacklist_characters="\ufdd0\ufffe\uffff",
    )
    | st.sampled_from("<>&\"'`=/\\;:#[](){}|*_~!-–—…¿¡ñ"),
    max_size=60,
)


@given(TYPED, TYPED, TYPED)
def test_any_typed_text_comes_out_literally_in_valid_html(a: str, b: str, c: str) -> None:
    document = Document(
        title=a or "t",
        lang="en",
        intro=(b,),
        sections=(
            Section(
                "notes",
                "Notes",
                (
                    Paragraph((Strong(c), " ", b)),
                    Items(((Link(a or "x", "https://example.org/?q=" + c, "web"),),)),
                ),
            ),
        ),
    )
    root = parse(document_to_html(document))
    text = "".join(root.itertext())
    for value in (a, b, c):
        assert value in text


def test_export_writes_the_html_handout(run: Run, tmp_path: Path) -> None:
    result = run("export", str(EXAMPLES[0]), "--format", "html", "--out", "out")
    assert result.returncode == 0, result.stderr
    (written,) = (tmp_path / "out").glob("*.html")
    assert written.stat().st_mode & 0o077 == 0
    page = written.read_text(encoding="utf-8")
    assert parse(page) is not None
    again = run("export", str(EXAMPLES[0]), "--format", "html", "--out", "again")
    assert again.returncode == 0
    assert (tmp_path / "again" / written.name).read_bytes() == written.read_bytes()


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_text_colour_on_every_background_meets_wcag_aa() -> None:
    page = document_to_html(sample_document())
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    texts = set(re.findall(r"(?<![-\w])color: (#[0-9a-f]{3,6})", css))
    backgrounds = set(re.findall(r"background: (#[0-9a-f]{3,6})", css))
    assert len(texts) >= 3
    assert len(backgrounds) >= 3
    for text in texts:
        for background in backgrounds:
            light, dark = sorted((_luminance(text), _luminance(background)), reverse=True)
            assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, background)


def test_the_week_s_days_are_named_in_the_current_language() -> None:
    from iopcli.i18n import language

    def days(page: str) -> list[str]:
        return [words(e) for e in parse(page).iter(f"{NS}div") if e.get("class") == "day"]

    assert days(document_to_html(sample_document()))[:2] == ["Monday", "Tuesday"]
    with language("es"):
        spanish = document_to_html(sample_document(lang="es"))
    assert days(spanish)[:2] == ["Lunes", "Martes"]


# --- hostile plans (adversarial review) --------------------------------------------------------


def test_a_hostile_plan_is_valid_inert_html() -> None:
    """Markup, an attribute break-out, placeholders, a right-to-left override left open,
    words and addresses longer than a line, 10,000 characters of notes: valid HTML5 with the
    policy intact, nothing that runs, every word as typed."""
    from hostile_plan import LONG_URL, NASTY, hostile_plan
    from iopcli.handout import build
    from iopcli.model import AftercarePlan

    document = build(AftercarePlan.model_validate(hostile_plan()))
    page = document_to_html(document)
    root = check_structure(page, document)
    assert page.count("<script") == 0
    assert page.count("<style>") == 1
    assert page.count("</style>") == 1
    text = "".join(root.itertext())
    # Typed text comes out whole; an override it opened is closed at its end (U+202C), so it
    # cannot turn the rest of the line around.
    assert NASTY + "\u202c" in text
    assert text.count("\u202e") == text.count("\u202c") - text.count("\u202c\u202c")
    hrefs = [a.get("href") for a in root.iter(f"{NS}a")]
    assert LONG_URL in hrefs  # the quote and brackets stay inside the attribute
    # A cell may break a long word anywhere: Chromium shrank the whole page to fit a table
    # widened by one (large print printed small).
    assert re.search(r"td, th \{ overflow-wrap: anywhere; \}", page)


def test_many_things_at_once_and_an_empty_plan() -> None:
    from hostile_plan import empty_plan
    from iopcli.handout import build
    from iopcli.model import AftercarePlan

    plan = empty_plan()
    document = build(AftercarePlan.model_validate(plan))
    root = check_structure(document_to_html(document), document)
    assert not list(root.iter(f"{NS}figure"))  # no week, no picture of it
    plan["meetings"] = [
        {"name": f"Group {n}", "days": ["wed"], "start": "23:30", "end": "1:00"} for n in range(200)
    ]
    document = build(AftercarePlan.model_validate(plan))
    root = check_structure(document_to_html(document), document)
    blocks = [e for e in root.iter(f"{NS}div") if (e.get("class") or "").startswith("block ")]
    assert len(blocks) == 200
    # Side by side, each its own lane, cut at midnight in the picture ...
    assert {b.get("style", "").split(";")[0] for b in blocks} == {
        f"grid-column: {4 + n}" for n in range(200)
    }
    # ... and past midnight in words in the table.
    cells = [words(td) for td in root.iter(f"{NS}td")]
    assert cells.count("11:30 pm–1:00 am the next day") == 200


def test_a_crowded_wallet_card_gets_smaller_type_not_cut_off() -> None:
    from iopcli.html_handout import card_size

    assert card_size(["If you are in crisis", "Dana", "Call:", "Renee: (312) 555-0123"]) == "8pt"
    # As cut by the builder: three signs of 70 characters, two people with long names and
    # relationships. At 7 pt this fits the card in Chromium (printed to PDF and read back).
    person = "Bartholomew-Christopher (older brother from my…): (312) 555-0123 ext. 4455"
    crowded = ["x" * 70] * 3 + [person] * 2 + ["If you are in crisis", "Ann", "Call:", "Signs:"]
    assert card_size(crowded) == "7pt"
    assert card_size(["word " * 200]) == "6pt"


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_borders_and_focus_are_visible_and_large_print_is_large_throughout() -> None:
    """WCAG 1.4.11: what tells a meeting from an appointment (its border) and the keyboard
    focus ring stand out 3:1 from what is around them. Large print's captions and cut line
    are at 18 pt too (only the week's picture is smaller; its table says the same)."""
    page = document_to_html(sample_document(), large_print=True)
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    for rule in re.findall(r"\.week-grid \.block[^{]*\{([^}]*)\}", css):
        fill = re.search(r"background: (#[0-9a-f]{6})", rule)
        borders = re.findall(r"border(?:-left)?: [^;]*(#[0-9a-f]{6})", rule)
        assert fill is not None
        assert borders
        for colour in borders:
            assert _contrast(colour, fill.group(1)) >= 3, (colour, fill.group(1))
            assert _contrast(colour, "#ffffff") >= 3
    focus = re.search(r"a:focus-visible \{ outline: 3px solid (#[0-9a-f]{6});", css)
    assert focus is not None
    assert _contrast(focus.group(1), "#ffffff") >= 3
    assert (
        ".large-print figcaption, .large-print .legend, .large-print .cut { font-size: 1em; }"
        in css
    )
    assert parse(page).find(f"{NS}body").get("class") == "large-print"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "java\tscript:alert(1)",
    ],
)
def test_a_plan_holds_only_web_links_and_the_page_writes_no_other(url: str) -> None:
    """A link in a plan is http(s) (the model refuses the rest, even in disguise); a document
    that carried another anyway gets its label as plain text, no link."""
    from pydantic import ValidationError

    from hostile_plan import empty_plan
    from iopcli.model import AftercarePlan

    plan = empty_plan() | {
        "meetings": [{"name": "M", "days": ["tue"], "start": "7pm", "online_url": url}]
    }
    with pytest.raises(ValidationError):
        AftercarePlan.model_validate(plan)
    document = Document("t", "en", (Link("join online", url),), ())
    root = check_structure(document_to_html(document), document)
    assert not list(root.iter(f"{NS}a"))
    assert "join online" in words(root)
