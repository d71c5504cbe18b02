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


# Military post offices (APO/FPO/DPO): AE 090-098, AA 340, AP 962-966. They are ZIP codes, but
# of a unit, not a place on a map.
_MILITARY = re.compile(r"09[0-8]\d\d|340\d\d|96[2-6]\d\d")
# A coordinate: a number with an optional degree sign and hemisphere letter ("42.36°N").
_COORDINATE = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))\s*°?\s*([NSEWnsew]?)")


def _shown(text: str) -> str:
    """The input as an error message quotes it: escaped, and short."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _degrees(part: str, hemispheres: str) -> float | None:
    match = _COORDINATE.fullmatch(part.strip())
    if match is None:
        return None
    number = float(match[1])
    letter = match[2].upper()
    if letter and letter not in hemispheres:
        return None
    if letter and number < 0:
        return None  # "-42 S" says south twice
    return -number if letter in ("S", "W") and letter else number


def resolve(text: str, option: str = "--near") -> Place:
    """A ZIP code or ``LAT,LON`` as a place; UsageError saying what is wrong otherwise.
    ZIP+4 is read as its ZIP; coordinates may be separated by a comma or spaces and carry
    degree signs and hemisphere letters (``42.36N 71.06W``)."""
    given = text.strip()
    zip_plus = re.fullmatch(r"(\d{5})(?:\s*[- ]?\s*\d{4})?", given)
    if zip_plus:
        code = zip_plus[1]
        point = zip_centroid(code)
        if point is None:
            if _MILITARY.fullmatch(code):
                raise UsageError(
                    f"{option}: {code} is a military (APO/FPO) ZIP code, which has no place on a"
                    " map: give the ZIP code or LAT,LON of where the person will live"
                )
            raise UsageError(
                f"{option}: {code} is not a U.S. ZIP code this iopcli knows: give a nearby ZIP"
                " code or LAT,LON"
            )
        return Place(point[0], point[1], f"ZIP {code}")
    if re.fullmatch(r"\d{1,4}|\d{6,8}|\d{10,}", given):
        raise UsageError(
            f"{option}: {_shown(given)} is neither a 5-digit ZIP code nor LAT,LON: a ZIP code"
            " has 5 digits (02139, or ZIP+4 02139-4307)"
        )
    parts = [p for p in re.split(r"\s*,\s*|\s+(?=[+-]?[\d.])", given) if p]
    if len(parts) == 2:
        lat = _degrees(parts[0], "NS")
        lon = _degrees(parts[1], "EW")
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            raise UsageError(f"{option}: {_shown(given)} is not LAT,LON (e.g. 42.3601,-71.0942)")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UsageError(
                f"{option}: {_shown(given)}: latitude must be -90 to 90, longitude -180 to 180"
            )
        return Place(lat, lon, f"{lat:g},{lon:g}")
    raise UsageError(
        f"{option}: {_shown(given)} is neither a 5-digit ZIP code nor LAT,LON"
        " (e.g. 02139 or 42.3601,-71.0942)"
    )


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
