"""Download GeoNames dumps (https://download.geonames.org/export/dump/) for `marsad places build`.

Per country: `CC.zip` (the places) and `alternatenames/CC.zip` (language-tagged names),
plus `admin1CodesASCII.txt`, `admin2Codes.txt` and `countryInfo.txt`. Files already
downloaded are kept (a re-run only fetches what is missing); a partial download never
replaces a good file. Plain urllib: no dependency for five GETs per country.
"""
from __future__ import annotations

import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import MarsadError

GEONAMES_URL = "https://download.geonames.org/export/dump/"
TABLES = ("admin1CodesASCII.txt", "admin2Codes.txt", "countryInfo.txt")


def _fetch(url: str, dest: Path, timeout: float) -> None:
    tmp = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, tmp.open("wb") as out:
            shutil.copyfileobj(resp, out)
    except (urllib.error.URLError, OSError) as e:
        tmp.unlink(missing_ok=True)
        raise MarsadError("E503", f"Could not download {url}: {getattr(e, 'reason', e)}. Check the network "
                          "or the URL, or download the files by hand and run `marsad places build --geonames DIR`.")
    tmp.replace(dest)


def download(countries: list[str], dest: Path, base_url: str = GEONAMES_URL, timeout: float = 60,
             log=None) -> Path:
    """Fetch the dumps for `countries` into `dest` (a folder `build` can read); returns `dest`."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    base = base_url if base_url.endswith("/") else base_url + "/"
    dest = Path(dest)
    (dest / "alternatenames").mkdir(parents=True, exist_ok=True)
    wanted = [(f"{base}{name}", dest / name) for name in TABLES]
    for cc in countries:
        wanted.append((f"{base}{cc}.zip", dest / f"{cc}.zip"))
        wanted.append((f"{base}alternatenames/{cc}.zip", dest / "alternatenames" / f"{cc}.zip"))
    for url, path in wanted:
        if path.exists() and path.stat().st_size > 0:
            continue
        log(f"downloading {url}")
        _fetch(url, path, timeout)
    return dest
