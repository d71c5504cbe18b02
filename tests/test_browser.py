"""The HTML handout in a real browser: headless Chromium takes a screenshot and prints it to PDF
on Letter and (in large print) on A4; pypdf reads the pages back. One Chromium launch per paper
size, the two side by side.

Without Chromium these tests are skipped, saying why; with IOPCLI_REQUIRE_BROWSER=1 (set by
``.ci/run``) a missing browser fails them instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from conftest import EXAMPLES
from iopcli.document import Document, Items, Link, Paragraph, Subsection, Table
from iopcli.handout import build
from iopcli.html_handout import document_to_html, printed_target
from iopcli.planfile import read_plan

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
)
# The paper sizes in points, as Chromium writes them in a page's MediaBox.
PAPER = {"letter": (612, 792), "a4": (595, 842)}


def links(document: Document) -> Iterator[Link]:
    def walk(blocks: tuple[object, ...]) -> Iterator[Link]:
        for block in blocks:
            runs: list[tuple[object, ...]] = []
            if isinstance(block, Paragraph):
                runs = [block.text]
            elif isinstance(block, Items):
                runs = list(block.items)
            elif isinstance(block, Table):
                runs = [cell for row in block.rows for cell in row]
            elif isinstance(block, Subsection):
                yield from walk(block.blocks)
            for run in runs:
                yield from (span for span in run if isinstance(span, Link))

    for section in document.sections:
        yield from walk(section.blocks)


def browser() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        why = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("IOPCLI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{why}, and IOPCLI_REQUIRE_BROWSER=1 asks for the browser tests")
        pytest.skip(f"{why}: the HTML handout was not checked in a real browser")
    return found


def chromium(tmp: Path, page: Path, *args: str) -> subprocess.Popen[str]:
    """Start one headless Chromium on ``page`` (own profile folder); the caller waits."""
    command = [browser(), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args, page.as_uri()]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> None:
    try:
        _out, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, errors[-2000:]


@pytest.fixture(scope="module")
def document() -> Document:
    return build(read_plan(str(EXAMPLES[0])))


@pytest.fixture(scope="module")
def rendered(document: Document, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two Chromium launches side by side: the handout printed on Letter with a phone-sized
    screenshot of it (one launch does both), and in large print on A4. The stylesheet leaves
    the paper size to the printer (margins only); A4 is chosen here as a person's print
    dialog would."""
    tmp = tmp_path_factory.mktemp("browser")
    page = document_to_html(document)
    large = document_to_html(document, large_print=True)
    pages = {
        "letter": page,
        "a4": large.replace("</style>", "@page { size: A4; }</style>", 1),
    }
    outputs: dict[str, Path] = {}
    running = []
    for name, html in pages.items():
        folder = tmp / name
        folder.mkdir()
        source = folder / "handout.html"
        source.write_text(html, encoding="utf-8")
        outputs[name] = folder / "handout.pdf"
        args = ["--no-pdf-header-footer", f"--print-to-pdf={outputs[name]}"]
        if name == "letter":
            outputs["screen"] = folder / "shot.png"
            args += ["--window-size=412,900", f"--screenshot={outputs['screen']}"]
        running.append(chromium(folder, source, *args))
    for process in running:
        finish(process)
    return outputs


class Printout:
    """One paper size's pages; each page's text read once, when first asked for (pypdf's
    extraction is the slow part). NFKC: Chromium keeps the font's "fi" ligatures."""

    def __init__(self, paper: str, data: bytes) -> None:
        self.paper = paper
        self.pages = pypdf.PdfReader(io.BytesIO(data)).pages
        self._texts: dict[int, str] = {}

    def text(self, index: int) -> str:
        index %= len(self.pages)
        if index not in self._texts:
            extracted = self.pages[index].extract_text()
            self._texts[index] = unicodedata.normalize("NFKC", extracted)
        return self._texts[index]

    def sizes(self) -> set[tuple[int, int]]:
        return {
            (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in self.pages
        }


@pytest.fixture(scope="module")
def printouts(rendered: dict[str, Path]) -> dict[str, Printout]:
    return {paper: Printout(paper, rendered[paper].read_bytes()) for paper in PAPER}


@pytest.fixture(params=sorted(PAPER))
def printed(request: pytest.FixtureRequest, printouts: dict[str, Printout]) -> Printout:
    return printouts[request.param]


def test_printed_on_letter_and_a4_with_the_wallet_card_alone_on_the_last_page(
    printed: Printout, document: Document
) -> None:
    assert 3 <= len(printed.pages) <= 40, len(printed.pages)
    assert printed.sizes() == {PAPER[printed.paper]}
    last = " ".join(printed.text(-1).split())
    card = document.card
    assert card is not None
    assert last.startswith("Wallet card")
    assert "988" in last
    for sign in card.warning_signs:
        assert " ".join(sign.split())[:20] in last
    # Nothing else on the card's page, and no part of the card on the page before.
    for section in document.sections:
        if section.key != "crisis":  # the card's front says "If you are in crisis" too
            assert section.title not in last
    assert "Wallet card" not in printed.text(-2)
    assert document.sections[-1].title in printed.text(-2)


def test_letter_holds_every_section_in_order_with_link_targets_and_no_orphan_heading(
    printouts: dict[str, Printout], document: Document
) -> None:
    printed = printouts["letter"]  # read whole once; A4 checks its pages and the card
    texts = [printed.text(i) for i in range(len(printed.pages) - 1)]
    body = " ".join(" ".join(text.split()) for text in texts)
    at = 0
    for section in document.sections:
        at = body.index(section.title, at)
    targets = [printed_target(link) for link in links(document)]
    assert targets
    squeezed = "".join(body.split())
    for target in filter(None, targets):
        assert f"({''.join(target.split())})" in squeezed
    # No section heading left alone at the bottom of a page.
    titles = {section.title for section in document.sections}
    for text in texts:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[-1] not in titles, lines[-3:]


def test_large_print_is_printed_large_not_shrunk_to_fit(printouts: dict[str, Printout]) -> None:
    """18 pt against 11 pt: well over half as many pages again. A browser shrinks a page
    whose content is wider than the paper, which would print large print small."""
    standard, large = len(printouts["letter"].pages), len(printouts["a4"].pages)
    assert large >= 1.6 * standard, (standard, large)


def test_a_screenshot_shows_the_page_on_a_phone_sized_window(rendered: dict[str, Path]) -> None:
    from PIL import Image

    with Image.open(rendered["screen"]) as image:
        assert image.size == (412, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        # Text, headings and links drawn: many colours, not a blank or an error page.
        assert colours is None or len(colours) > 50
