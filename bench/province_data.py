"""A generated province for bench/year_province.py: the sample district (data/nanan.toml) scaled up.

`province(schools)` gives a validated DistrictFile (the same model `dudao seed --file` loads) with
`schools` schools, a tenth as many departments and towns (1 : 2) and a twentieth as many inspectors —
30,000 schools: 1,000 departments, 2,000 towns, 1,500 inspectors. Every generated unit and inspector is
a copy of a sample one (round robin) with a numbered code, name and address, so the mix of school types,
sizes, terms and employers stays the sample's. Deterministic.
"""

import tomllib

from core.paths import REPO_ROOT
from tasks.exchange.district_file import DistrictFile


def _sample() -> dict:
    return tomllib.loads((REPO_ROOT / "data" / "nanan.toml").read_text(encoding="utf-8"))


def _copies(entries: list[dict], count: int, prefix: str, width: int) -> list[dict]:
    out = []
    for n in range(count):
        entry = dict(entries[n % len(entries)])
        entry["original"] = entry["code"]
        entry["code"] = f"{prefix}{n + 1:0{width}d}"
        entry["name"] = f"{entry['name']}·{prefix}{n + 1}"
        entry["email"] = f"{entry['code'].lower()}@province.example.cn"
        out.append(entry)
    return out


def province(schools: int) -> DistrictFile:
    data = _sample()
    by_kind: dict[str, list[dict]] = {}
    for unit in data["units"]:
        by_kind.setdefault(unit["kind"], []).append(unit)
    departments = _copies(by_kind["department"], max(1, schools // 30), "D", 5)
    towns = _copies(by_kind["town"], max(1, schools // 15), "T", 5)
    school_rows = _copies(by_kind["school"], schools, "S", 6)
    department_of = {d["original"]: [] for d in departments}
    for d in departments:
        department_of[d["original"]].append(d["code"])
    for n, school in enumerate(school_rows):
        school["town"] = towns[n % len(towns)]["code"]
        if school.get("superior", "").startswith("D"):
            copies = department_of[school["superior"]]
            school["superior"] = copies[n % len(copies)]
    units = [*by_kind["office"], *departments, *towns, *school_rows]
    inspectors = _copies(data["inspectors"], max(3, schools // 20), "I", 5)
    first_copy = {u["original"]: u["code"] for u in reversed([*departments, *towns, *school_rows])}
    for n, inspector in enumerate(inspectors):
        employer = inspector.get("employer")
        if employer:  # a school inspector works at one of the schools, spread over the province
            inspector["employer"] = school_rows[(n * 7) % len(school_rows)]["code"] if employer.startswith(
                "S") else first_copy.get(employer, employer)
        inspector.pop("original")
        inspector["email"] = f"{inspector['code'].lower()}@dudao.province.example.cn"
    for unit in units:
        unit.pop("original", None)
    # Named as the sample is (its documents read as the sample's: only the numbers of units differ).
    identity = {key: data[key] for key in ("district", "short_name", "authority") if key in data}
    return DistrictFile.model_validate({"schema_version": 1, **identity, "units": units,
                                        "inspectors": inspectors})
