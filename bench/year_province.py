"""Workload (b): a generated province (bench/province_data.py: 30,000 schools, 3,000 departments and towns,
1,500 inspectors by default) simulated for a year through the `simulate-year` flow, beside the same run
without Prefect (baseline), each in a fresh process on a fresh SQLite ledger (bench/year_run.py).

`--units N` runs a smaller province (N schools, N/10 departments and towns, N/20 inspectors); the figures
are then extrapolated linearly per school to 30,000 (an estimate, printed as such: the daily scans that
grow with the open rows make the true cost grow somewhat faster).

    .venv/bin/python bench/year_province.py --units 3000 [--until 2026-06-30] [--flow-only]
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from year_district import compare, measure  # noqa: E402

FULL = 30_000
GOAL_S, GOAL_MB = 900.0, 1024.0  # issue 19: the year with every PDF within 15 minutes, in 1 GB for all processes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=FULL, help="schools (default 30,000)")
    parser.add_argument("--until", help="last simulated day (default: 31 December)")
    parser.add_argument("--flow-only", action="store_true", help="skip the baseline run without Prefect")
    args = parser.parse_args()
    district = f"province:{args.units}"
    if args.flow_only:
        flow = measure("prefect", district, args.until)
        result = {"district": district, "prefect": flow}
    else:
        result = compare(district, args.until, GOAL_S if args.units == FULL and not args.until else None)
        flow = result["prefect"]
    scale = FULL / args.units
    estimate = flow["wall_s"] * scale
    per_school_ms = 1000 * flow["wall_s"] / args.units
    print(f"{args.units} schools: {flow['wall_s']} s = {per_school_ms:.1f} ms a school; peak RSS "
          f"{flow['peak_rss_mb']} MB (this process), {flow['peak_tree_rss_mb']} MB (PSS of every process); "
          f"{flow['documents']} documents")
    if args.units != FULL:
        print(f"extrapolated to {FULL:,} schools (linear, an estimate): {estimate:.0f} s")
    result.update(units=args.units, per_school_ms=round(per_school_ms, 2),
                  full_province_estimate_s=round(estimate), goal_s=GOAL_S, goal_mb=GOAL_MB,
                  goal_met=estimate <= GOAL_S and flow["peak_tree_rss_mb"] <= GOAL_MB and args.units == FULL)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
