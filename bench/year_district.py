"""Workload (a): the sample district's simulated year (data/nanan.toml, seed 2026), through the
`simulate-year` flow on an ephemeral Prefect server, beside the same days without Prefect (baseline).

Each measurement runs in a fresh process (bench/year_run.py) on a fresh SQLite ledger under a temporary
DUDAO_VAR_DIR and PREFECT_HOME; the server's start is timed apart from the flow. Prints a table, then one
JSON object as the last line.

    .venv/bin/python bench/year_district.py [--until 2026-06-30]
"""

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(mode: str, district: str, until: str | None) -> dict:
    args = [sys.executable, str(HERE / "year_run.py"), mode, district, *([until] if until else [])]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(result["var_dir"], ignore_errors=True)  # the throwaway ledger, documents and Prefect home
    return result


def compare(district: str, until: str | None, goal_s: float | None) -> dict:
    bare = measure("bare", district, until)
    flow = measure("prefect", district, until)
    same = bare["summary"] == flow["summary"]
    print(f"{'run':<10}{'wall s':>9}{'CPU s':>8}{'domain s':>10}{'simulate_day s':>16}{'deliver s':>11}"
          f"{'orchestration':>15}{'peak RSS MB':>13}")
    for row in (bare, flow):
        print(f"{row['mode']:<10}{row['wall_s']:>9}{row['cpu_s']:>8}{row['domain_s']:>10}{row['simulate_day_s']:>16}"
              f"{row['deliver_s']:>11}{row['orchestration_share']:>14.1%}{row['peak_rss_mb']:>13}")
    ratio = flow["wall_s"] / bare["wall_s"]
    verdict = f"; goal {goal_s:.0f} s: {'met' if flow['wall_s'] <= goal_s else 'NOT met'}" if goal_s else ""
    print(f"server start {flow['server_start_s']} s (apart); flow / bare = {ratio:.2f}; same year: {same}{verdict}")
    return {"district": district, "until": flow["until"], "bare": bare, "prefect": flow,
            "flow_over_bare": round(ratio, 3), "same_summary": same, "goal_s": goal_s,
            "goal_met": goal_s is not None and flow["wall_s"] <= goal_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--until", help="last simulated day (default: 31 December)")
    args = parser.parse_args()
    print(json.dumps(compare("sample", args.until, 30.0), ensure_ascii=False))


if __name__ == "__main__":
    main()
