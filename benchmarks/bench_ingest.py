"""Ingest speed: `xxgk run --from` on 26 -> 200 -> 1,000 documents, against its floor.

The documents are copies of the fixture corpus (tests/fixtures/corpus: 26 real reports, HTML,
PDF, text, Markdown), each copy made distinct by a tail of whitespace of its own length, so
every file is a new document. For each size, in a fresh warehouse and archive:

- `xxgk run --from DIR` as a subprocess (what a user runs: startup, archive, load, parse,
  dbt build, export), and then the same command again with nothing new, ``--reruns`` times;
- the floor, measured in the same round: parsing the same bytes alone (``parse_document`` in
  one process) plus `dbt build` alone on the warehouse the run built;
- the no-change floor, alternating with the reruns: a bare Python process that reads and
  hashes every file of the folder and asks the warehouse one query.

Prints per size the medians over ``--runs`` rounds: seconds, time per document, the ratio to
the floor, and the no-change rerun (median of every rerun) with its ratio to its floor. Time
per document that grows with the size shows superlinear work.

    .venv/bin/python benchmarks/bench_ingest.py [--sizes 26 200 1000] [--runs 3] [--reruns 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORPUS = REPO / "tests" / "fixtures" / "corpus"
BIN = Path(sys.executable).parent


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name.lower() != "readme.md"
                  and "gold" not in p.relative_to(CORPUS).parts)


def make_folder(folder: Path, n: int) -> list[tuple[str, bytes]]:
    """n distinct documents: copy k of source i gets k+1 trailing spaces (after a PDF's %%EOF,
    after an HTML page's last tag, at the end of a text: no parser reads them)."""
    sources = corpus_files()
    folder.mkdir(parents=True)
    docs = []
    for i in range(n):
        src = sources[i % len(sources)]
        data = src.read_bytes() + b"\n" + b" " * (i // len(sources) + 1)
        name = f"{i:04d}-{src.name}"
        (folder / name).write_bytes(data)
        docs.append((name, data))
    return docs


def environment(home: Path, db: Path) -> dict[str, str]:
    env = {**os.environ, "DAGSTER_HOME": str(home), "XXGK_DB": str(db), "DAGSTER_DISABLE_TELEMETRY": "1",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    env.pop("XXGK_ARCHIVE", None)
    return env


def timed_cpu(cmd: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children): on a busy machine the CPU
    time is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-20:])
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{tail}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def timed(cmd: list[str], env: dict[str, str], cwd: Path = REPO) -> float:
    return timed_cpu(cmd, env, cwd)[0]


def parse_alone(docs: list[tuple[str, bytes]]) -> float:
    from scrapers.parse.report import parse_document

    started = time.monotonic()
    for name, data in docs:
        parse_document(data, name)
    return time.monotonic() - started


# the least a no-change rerun must do: start Python, read and hash the folder, ask one query
NO_CHANGE_FLOOR = """
import hashlib, pathlib, sys
import duckdb
for path in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    hashlib.sha256(path.read_bytes()).hexdigest()
con = duckdb.connect(sys.argv[2], read_only=True)
con.execute("select count(*) from raw.documents").fetchone()
con.close()
"""


def one_round(n: int, work: Path, reruns: int, floors: bool = True) -> dict[str, float]:
    folder, db, archive = work / "reports", work / "wh" / "xxgk.duckdb", work / "archive"
    docs = make_folder(folder, n)
    home = Path(tempfile.mkdtemp(prefix="xxgk-bench-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    try:
        env = environment(home, db)
        run = [str(BIN / "xxgk"), "run", "--from", str(folder), "--db", str(db), "--archive", str(archive)]
        first = timed(run, env)
        rerun, floor = [], []
        for _ in range(reruns):  # alternating, so a busy moment costs both alike
            rerun.append(timed_cpu(run, env))
            floor.append(timed_cpu([sys.executable, "-c", NO_CHANGE_FLOOR, str(folder), str(db)], env))
        measured = {"run_s": first, "rerun_s": statistics.median(w for w, _ in rerun),
                    "rerun_cpu_s": statistics.median(c for _, c in rerun),
                    "rerun_floor_s": statistics.median(w for w, _ in floor),
                    "rerun_floor_cpu_s": statistics.median(c for _, c in floor)}
        if not floors:
            return measured
        parse = parse_alone(docs)
        # dbt alone on a copy of the warehouse the run built (its raw tables as they are)
        copy = work / "dbt-alone.duckdb"
        shutil.copy(db, copy)
        dbt = timed([str(BIN / "dbt"), "build", "--project-dir", str(REPO / "dbt"), "--profiles-dir", str(REPO / "dbt"),
                     "--quiet"], environment(home, copy), cwd=REPO / "dbt")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return {**measured, "parse_s": parse, "dbt_s": dbt}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[26, 200, 1000])
    parser.add_argument("--runs", type=int, default=3, help="rounds per size; medians are printed")
    parser.add_argument("--reruns", type=int, default=5, help="no-change reruns per round")
    parser.add_argument("--no-change-only", action="store_true",
                        help="measure the no-change rerun and its floor only (not parse alone and dbt alone)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    results = {}
    for n in args.sizes:
        rounds = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix=f"xxgk-ingest-{n}-") as tmp:
                rounds.append(one_round(n, Path(tmp), args.reruns, not args.no_change_only))
        med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        r = {k: round(v, 3) for k, v in med.items()}
        r.update(ms_per_doc=round(1000 * med["run_s"] / n, 1), runs=args.runs, reruns=args.reruns,
                 rerun_ratio=round(med["rerun_s"] / med["rerun_floor_s"], 2),
                 rerun_cpu_ratio=round(med["rerun_cpu_s"] / med["rerun_floor_cpu_s"], 2))
        no_change = (f"no-change rerun {r['rerun_s']:.2f} s ({r['rerun_cpu_s']:.2f} s CPU), floor {r['rerun_floor_s']:.2f} s "
                     f"({r['rerun_floor_cpu_s']:.2f} s CPU), ratio {r['rerun_ratio']:.2f}x ({r['rerun_cpu_ratio']:.2f}x CPU)  "
                     f"[medians of {args.runs} rounds, {args.reruns} reruns each]")
        if "dbt_s" in med:
            floor = med["parse_s"] + med["dbt_s"]
            r.update(floor_s=round(floor, 3), ratio=round(med["run_s"] / floor, 2))
            line = (f"{n:>5} documents: run {r['run_s']:7.1f} s ({r['ms_per_doc']:6.1f} ms/doc), floor {floor:6.1f} s "
                    f"(parse {r['parse_s']:.1f} + dbt {r['dbt_s']:.1f}), ratio {r['ratio']:.2f}x; {no_change}")
        else:
            line = f"{n:>5} documents: run {r['run_s']:7.1f} s ({r['ms_per_doc']:6.1f} ms/doc); {no_change}"
        results[n] = r
        if not args.json:
            print(line, flush=True)
    if args.json:
        json.dump(results, sys.stdout, indent=1)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
