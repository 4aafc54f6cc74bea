"""Read the gold files of tests/fixtures/corpus (the shape ../shared/tools/score_parser.py reads)."""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
GOLD_DIRS = [CORPUS / "gold", CORPUS / "pre2019" / "gold"]
KEYS = {"requests": ("row", "column"), "appeals": ("proceeding", "result"), "proactive": ("item", "measure")}


def gold_files() -> list[Path]:
    return sorted(p for d in GOLD_DIRS for p in d.glob("*.json"))


def load_gold(path: Path) -> tuple[Path, dict]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    return (path.parent / gold["doc"]).resolve(), gold


def gold_cells(gold: dict) -> dict[tuple, object]:
    cells = {}
    for table in KEYS:
        for outer, inner in (gold.get(table) or {}).items():
            for key, value in inner.items():
                cells[(table, outer, key)] = value
    for measure, value in (gold.get("narrative") or {}).items():
        cells[("narrative", measure, "")] = value
    return cells


def parse_cells(parse_json: dict) -> dict[tuple, object]:
    cells = {}
    tables = parse_json["tables"]
    for table, (k1, k2) in KEYS.items():
        for cell in tables.get(table, []):
            cells[(table, cell[k1], cell[k2])] = cell["value"]
    for cell in tables.get("narrative", []):
        cells[("narrative", cell["measure"], "")] = cell["value"]
    return cells
