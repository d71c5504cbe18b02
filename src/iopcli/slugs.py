"""Readable ASCII slugs and short ids for file names; kept apart so light paths need no model."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, max_length: int = 40) -> str:
    """ASCII, lower-case, hyphenated: 'Tuesday Night Hope' -> 'tuesday-night-hope'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def short_id(plan_id: str) -> str:
    """'3f6c2a9e' for a (lower-case) UUID; otherwise a slug of the id plus a hash of it, so ids
    that share a beginning or differ only in case never share a file name."""
    if _UUID.fullmatch(plan_id):
        return plan_id[:8]
    import hashlib  # here: loading OpenSSL's hashes costs every command's start a few ms

    digest = hashlib.sha256(plan_id.encode("utf-8")).hexdigest()[:6]
    return f"{slugify(plan_id, max_length=24)}-{digest}"
