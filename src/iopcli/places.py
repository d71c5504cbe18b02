"""Where "near" is: a U.S. ZIP code or ``LAT,LON`` as coordinates, offline, and distances.

ZIP centroids come from a table shipped with iopcli (``data/zip_centroids.bin``), derived from
the ``zipcodes`` package (MIT; its coordinates are GeoNames', CC BY 4.0), which keeps the U.S.
ZIP list up to date monthly. The package itself decompresses its whole dataset on the first
query (about 300 ms); the table here is 12 bytes a ZIP (the ZIP and its latitude and longitude
in ten-thousandths of a degree, sorted by ZIP) and answers by binary search in well under a
millisecond. :func:`write_zip_table` rebuilds it from the installed package
(``python -m iopcli.places``); the tests check it against the package.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from iopcli.errors import UsageError

TABLE = "zip_centroids.bin"
_RECORD = struct.Struct("<Iii")  # zip, lat × 10^4, lon × 10^4
EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class Place:
    """A point a search measures from, and how to say what it is."""

    latitude: float
    longitude: float
    label: str  # "ZIP 02139" or "42.3601,-71.0942"


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def _table() -> bytes:
    return resources.files("iopcli").joinpath("data", TABLE).read_bytes()


def zip_centroid(code: str) -> tuple[float, float] | None:
    """The centroid of a five-digit ZIP code (ZIP+4 is read as its first five), or None."""
    match = re.fullmatch(r"\s*(\d{5})(?:[- ]?\d{4})?\s*", code)
    if not match:
        return None
    wanted = int(match[1])
    table = _table()
    low, high = 0, len(table) // _RECORD.size
    while low < high:
        middle = (low + high) // 2
        found, lat, lon = _RECORD.unpack_from(table, middle * _RECORD.size)
        if found == wanted:
            return lat / 10_000, lon / 10_000
        if found < wanted:
            low = middle + 1
        else:
            high = middle
    return None


def resolve(text: str, option: str = "--near") -> Place:
    """A ZIP code or ``LAT,LON`` as a place; UsageError saying what is wrong otherwise."""
    given = text.strip()
    if re.fullmatch(r"\d{5}(?:[- ]?\d{4})?", given):
        point = zip_centroid(given)
        if point is None:
            raise UsageError(f"{option}: {given} is not a U.S. ZIP code this iopcli knows")
        return Place(point[0], point[1], f"ZIP {given[:5]}")
    parts = [p.strip() for p in given.split(",")]
    if len(parts) == 2:
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            lat = lon = math.nan
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise UsageError(f"{option}: {given!r} is not LAT,LON (e.g. 42.3601,-71.0942)")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UsageError(
                f"{option}: {given!r}: latitude must be -90 to 90, longitude -180 to 180"
            )
        return Place(lat, lon, f"{lat:g},{lon:g}")
    raise UsageError(f"{option}: {given!r} is neither a 5-digit ZIP code nor LAT,LON")


def write_zip_table(path: Path) -> int:
    """Write the ZIP table from the installed ``zipcodes`` package (a development tool:
    ``pip install zipcodes``); how many ZIPs it holds. Military (APO/FPO) ZIPs, which have no
    place on a map, are left out."""
    import zipcodes  # type: ignore[import-not-found,unused-ignore]

    every = zipcodes.list_all()  # type: ignore[no-untyped-call,unused-ignore]
    records = sorted(
        (int(z["zip_code"]), round(float(z["lat"]) * 10_000), round(float(z["long"]) * 10_000))
        for z in every
        if z.get("lat") and z.get("long") and z.get("zip_code_type") != "MILITARY"
    )
    path.write_bytes(b"".join(_RECORD.pack(*r) for r in records))
    return len(records)


if __name__ == "__main__":  # pragma: no cover - a development tool
    target = Path(__file__).with_name("data") / TABLE
    print(f"{target}: {write_zip_table(target)} ZIP codes")
