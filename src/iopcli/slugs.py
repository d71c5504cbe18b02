"""Readable ASCII slugs for ids and file names; kept apart so light paths need no model."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, max_length: int = 40) -> str:
    """ASCII, lower-case, hyphenated: 'Tuesday Night Hope' -> 'tuesday-night-hope'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"
