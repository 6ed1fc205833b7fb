"""Compares two jobgraph builds on the benchmark's shapes, interleaved in one run.

    python3 bench/compare_builds.py BASELINE_BINARY CANDIDATE_BINARY

Loads the benchmark catalog (bench/catalog.sql) into PostgreSQL, then in each of BENCH_ROUNDS
rounds runs every shape, uncached and cached (Redis), against the baseline and then the
candidate. Prints each shape's median requests/s for both, the candidate/baseline ratio, the
per-round ratios, and server CPU µs/request. For a refactoring that must not slow anything
down: a ratio within the rounds' spread is noise. Reuses bench/run.py's helpers.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def measure(binary, shape_list, cached):
    run.JOBGRAPH = binary
    server = run.start_server(cached)
    try:
        return {name: run.wrk(run.url(run.PORT, query, variables), server.pid)
                for name, (query, variables) in shape_list.items()}
    finally:
        run.stop(server)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    baseline, candidate = (Path(argument).resolve() for argument in sys.argv[1:])
    run.JOBGRAPH = candidate
    counts, shape_list = run.prepare()
    runs = {}
    for _ in range(run.ROUNDS):
        for cached in (False, True):
            for label, binary in (("baseline", baseline), ("candidate", candidate)):
                for name, result in measure(binary, shape_list, cached).items():
                    runs.setdefault((name, cached, label), []).append(result)
    lines = [
        "# Two builds, interleaved",
        "",
        f"`bench/compare_builds.py` on {run.machine()}; catalog of {counts[1]} postings; {run.ROUNDS} rounds, "
        "each running the baseline then the candidate; medians of the rounds.",
        "",
        f"Baseline: `{baseline}`; candidate: `{candidate}`.",
        "",
        "| shape | cache | baseline req/s | candidate req/s | candidate / baseline | per round | server µs/req baseline → candidate |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for name in shape_list:
        for cached in (False, True):
            old, new = runs[(name, cached, "baseline")], runs[(name, cached, "candidate")]
            old_median, new_median = run.median(old, "rps"), run.median(new, "rps")
            rounds = ", ".join(f"{n['rps'] / o['rps']:.0%}" for o, n in zip(old, new))
            lines.append(
                f"| {name.split()[0]} | {'Redis' if cached else 'off'} | {old_median['rps']:.0f} | {new_median['rps']:.0f} | "
                f"{new_median['rps'] / old_median['rps']:.0%} | {rounds} | {old_median['server_us']:.0f} → {new_median['server_us']:.0f} |")
    print("\n".join(lines))
    run.psql(f"DROP DATABASE IF EXISTS {run.DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
