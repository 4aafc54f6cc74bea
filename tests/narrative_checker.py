"""Score the pre-2019 reading (narrative, year, office, era) against gold JSON files.

Usage: python tests/narrative_checker.py [GOLD_DIR] [--only NAME,…] [--except NAME,…]
       (default GOLD_DIR: tests/fixtures/corpus/pre2019/gold; NAME is a gold file's stem)

--only / --except split the gold files, so that some can be held out while the vocabularies
are tuned on the rest: the held-out score estimates accuracy on reports not seen.

Each gold file names its document ("doc", relative to the gold file) and holds "year", "office"
and "narrative" ({measure: value}). A measure the parse gives that the gold lacks counts as an
error too: the gold lists every measure the text states. A "silent error" is a report that would
load as ok (not truncated, no problems) although something differs. The last line is the figure:
  measures 40/40 exact, reports 16/16 exact, silent errors 0
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scrapers.parse.meta import find_office, find_year
from scrapers.parse.narrative import looks_pre2019, parse_narrative

DEFAULT_GOLD = Path(__file__).parent / "fixtures" / "corpus" / "pre2019" / "gold"


@dataclass
class Score:
    measures: int = 0
    exact: int = 0
    reports: int = 0
    exact_reports: int = 0
    silent_errors: int = 0
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"measures {self.exact}/{self.measures} exact, reports {self.exact_reports}/{self.reports} exact, "
            f"silent errors {self.silent_errors}"
        )


def check_report(gold_path: Path) -> tuple[int, list[str], bool]:
    """(gold measures, the differences, whether the parse would load as ok) for one gold file."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text = (gold_path.parent / gold["doc"]).read_text(encoding="utf-8")
    result = parse_narrative(text, find_year(text))  # as the pipeline reads it, with the report's year
    got = {c.measure: c.value for c in result.cells}
    want = gold.get("narrative") or {}
    diffs = [f"{m}={got.get(m)!r} (want {v!r})" for m, v in want.items() if got.get(m) != v]
    diffs += [f"{m}={v!r} (gold has none)" for m, v in got.items() if m not in want]
    for name, value, expected in (
        ("year", find_year(text), gold.get("year")),
        ("office", find_office(text), gold.get("office")),
        ("template", "pre2019" if looks_pre2019(text) else "other", gold.get("template")),
    ):
        if expected is not None and value != expected:
            diffs.append(f"{name}={value!r} (want {expected!r})")
    ok = not result.truncated and not result.problems
    return len(want), diffs, ok


def score(gold_dir: Path = DEFAULT_GOLD, only: set[str] | None = None, excluded: frozenset[str] = frozenset()) -> Score:
    s = Score()
    for gold_path in sorted(Path(gold_dir).glob("*.json")):
        if (only is not None and gold_path.stem not in only) or gold_path.stem in excluded:
            continue
        n, diffs, ok = check_report(gold_path)
        measure_diffs = [d for d in diffs if not d.startswith(("year=", "office=", "template="))]
        s.reports += 1
        s.measures += n + sum(1 for d in measure_diffs if d.endswith("(gold has none)"))
        s.exact += n - sum(1 for d in measure_diffs if not d.endswith("(gold has none)"))
        if not diffs:
            s.exact_reports += 1
            s.lines.append(f"ok    {gold_path.name}")
        else:
            s.silent_errors += ok
            s.lines.append(f"DIFF  {gold_path.name} [{'ok' if ok else 'partial'}] " + ", ".join(diffs))
    return s


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Score the pre-2019 reading against gold JSON files.")
    parser.add_argument("gold_dir", nargs="?", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--only", help="comma-separated gold file stems to score, and no other")
    parser.add_argument("--except", dest="excluded", default="", help="comma-separated gold file stems to leave out")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    s = score(args.gold_dir, only, frozenset(n for n in args.excluded.split(",") if n))
    print("\n".join(s.lines))
    print(s.summary())
    return 0 if s.exact == s.measures and s.exact_reports == s.reports else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
