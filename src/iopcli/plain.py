"""Plain text from the handout's Markdown, for ``--plain``, NO_COLOR and screen readers.

It only has to read the Markdown that :mod:`iopcli.markdown` writes, where every character a
person typed is backslash-escaped; so unescaped markup is ours and can be taken out safely
(a backslash at the end of a line is a line break the person typed: the next line follows).
"""

from __future__ import annotations

import re

_LINK = re.compile(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\(([^)]*)\)")
_BOLD = re.compile(r"(?<!\\)\*\*")
_ESCAPE = re.compile(r"\\(.)")


def _inline(line: str) -> str:
    # A hard break (a line typed by the person) ends in one backslash that escapes nothing.
    trailing = len(line) - len(line.rstrip("\\"))
    if trailing % 2:
        line = line[:-1]
    line = _LINK.sub(lambda m: m.group(1), line)
    line = _BOLD.sub("", line)
    return _ESCAPE.sub(r"\1", line)


def markdown_to_plain(markdown: str) -> str:
    out: list[str] = []
    for line in markdown.splitlines():
        heading = re.match(r"^(#{1,3}) (.*)$", line)
        if heading:
            title = _inline(heading.group(2))
            rule = {1: "=", 2: "-"}.get(len(heading.group(1)))
            out += [title, rule * len(title)] if rule else [title + ":"]
        elif line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|"))]
            if not all(set(c) <= {"-", ":"} for c in cells):
                out.append("  " + " | ".join(_inline(c) for c in cells if c))
        else:
            out.append(_inline(line))
    return "\n".join(out).rstrip() + "\n"
