"""`xxgk` as a user meets it: real commands in subprocesses, their exit codes, their one-line
messages, and a warehouse that a mistake leaves as it was."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SEED_REPORT = FIXTURES / "corpus" / "seed" / "000_3cfb3787871ff2e9.txt"
XXGK = [sys.executable, "-m", "dagster_project.cli"]

pytestmark = pytest.mark.slow  # the module builds one warehouse with dbt, then checks against it


def xxgk(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("XXGK_", "DAGSTER_HOME"))}
    full_env.update(env or {})
    return subprocess.run([*XXGK, *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess, code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    return lines[0]


def digest(folder: Path) -> dict[str, str]:
    """Every file of the warehouse's folder by content, but the run history and the logs."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix != ".lock" and not any(part.endswith((".dagster", ".logs")) for part in p.parts)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A warehouse built from one real report, with a dbt that records being started."""
    root = tmp_path_factory.mktemp("cli")
    reports = root / "reports"
    reports.mkdir()
    shutil.copy(SEED_REPORT, reports)
    shim = root / "bin"
    shim.mkdir()
    calls = root / "dbt_calls.txt"
    dbt = shim / "dbt"
    dbt.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexec {Path(sys.executable).parent / "dbt"} "$@"\n')
    dbt.chmod(dbt.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": f"{shim}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    db = root / "wh" / "xxgk.duckdb"
    first = xxgk("run", "--from", str(reports), "--db", str(db), env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    return {"root": root, "reports": reports, "db": db, "env": env, "calls": calls, "first": first}


def test_a_first_run_says_what_it_built(built):
    out = built["first"].stdout
    assert "documents: 1 files, 1 new or changed, 0 unchanged" in out
    assert re.search(r"^parses: 1 new \(1 (ok|partial)\)$", out, re.M), out
    assert f"warehouse: {built['db']}" in out and "dbt build: done" in out
    assert re.search(r"^marts: .*fct_requests \d+", out, re.M)
    assert re.search(r"^dagster runs: ingest_folder \w{8}, build_warehouse \w{8}$", out, re.M)
    # dbt's own 118 lines are in the rotated run log, not on the terminal
    assert "START sql" not in out and "START sql" in (built["db"].with_name("xxgk.logs") / "run.log").read_text()


def _dagster_runs(db: Path) -> int:
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(db.with_name(db.stem + ".dagster")))
    try:
        return instance.get_runs_count()
    finally:
        instance.dispose()


def test_a_run_with_nothing_new_makes_no_dbt_call_and_starts_no_dagster_run(built):
    calls_before = built["calls"].read_text().count("build")
    before = digest(built["db"].parent / "xxgk.dbt")
    runs = _dagster_runs(built["db"])
    proc = xxgk("run", "--from", str(built["reports"]), "--db", str(built["db"]),
                env={**built["env"], "PYTHONPROFILEIMPORTTIME": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warehouse up to date" in proc.stdout
    assert "documents: 1 files, 0 new or changed, 1 unchanged" in proc.stdout
    assert built["calls"].read_text().count("build") == calls_before == 1
    assert digest(built["db"].parent / "xxgk.dbt") == before
    # decided before Dagster (or dbt) was imported, and no run recorded
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "dagster_project.nochange" in imported
    assert not {m for m in imported if m.split(".")[0] in ("dagster", "dagster_dbt", "dbt")}
    assert _dagster_runs(built["db"]) == runs > 0


def test_help_version_and_parse_import_neither_dagster_nor_dbt():
    for args in (["--help"], ["--version"], ["parse", str(SEED_REPORT), "--json"]):
        proc = xxgk(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
        assert proc.returncode == 0, (args, proc.stderr[-2000:])
        imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
        assert imported and not {m for m in imported if m.split(".")[0] in ("dagster", "dagster_dbt", "dbt")}, args


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_runs_reuse_one_dbt_target_folder(built, tmp_path):
    """Regression: every run left a ~7 MB dbt/target/warehouse_models-<run>/ behind."""
    target = built["db"].parent / "xxgk.dbt"
    repo_targets = set((REPO / "dbt" / "target").glob("*"))
    after_first = _size(target)
    extra = sorted(os.listdir(FIXTURES / "reports"))
    builds = 1
    # two more runs: the first finds a changed folder and dbt builds again, into the same folder
    # (a folder per run would show as a second 7 MB); the second has nothing new and leaves it alone
    for n in (1, 2):
        if n == 1:
            shutil.copy(FIXTURES / "reports" / extra[0], built["reports"] / f"copy-{n}-{extra[0]}")
            proc = xxgk("run", "--from", str(built["reports"]), "--db", str(built["db"]), env=built["env"])
            assert proc.returncode == 0 and "dbt build: done" in proc.stdout, proc.stdout + proc.stderr
            builds += 1
        else:
            assert "warehouse up to date" in xxgk("run", "--from", str(built["reports"]), "--db", str(built["db"])).stdout
        assert _size(target) <= after_first * 1.05, n
    assert built["calls"].read_text().count("build") == builds
    assert set((REPO / "dbt" / "target").glob("*")) == repo_targets
    assert [p.name for p in built["db"].parent.iterdir() if p.is_dir()].count("xxgk.dbt") == 1


# -- mistakes: one line, a documented exit code, the warehouse untouched ------------------

MISTAKES = {
    "missing folder": (["run", "--from", "/nonexistent/reports"], 2, r"no such folder: /nonexistent/reports"),
    "file for folder": (["run", "--from", str(SEED_REPORT)], 2, r"is a file; --from takes a folder"),
    "unknown district": (["run", "--district", "火星"], 2, r"unknown district '火星': .* lists 东城, 西城"),
    "unknown year": (["run", "--year", "1999"], 2, r"1999 is not a report year \(2008 to \d{4}\)"),
    "unreadable registry": (["run", "--registry", "/nonexistent/portals.csv"], 2, r"cannot read the portal registry /nonexistent/portals.csv"),
    "not a registry": (["crawl", "--registry", str(SEED_REPORT)], 2, r"is not a portal registry"),
    "bad option": (["run", "--rate", "fast"], 2, r"invalid float value: 'fast' \(see xxgk run --help\)"),
}


@pytest.mark.parametrize("case", MISTAKES)
def test_a_mistake_is_one_line_with_its_exit_code_and_changes_nothing(built, case):
    args, code, message = MISTAKES[case]
    before = digest(built["db"].parent)
    line = one_line_error(xxgk(*args, "--db", str(built["db"])), code)
    assert re.search(message, line), line
    assert digest(built["db"].parent) == before


def test_a_warehouse_that_cannot_be_written_is_named(tmp_path):
    # /proc takes no new files, whoever asks (the tests may run as root, for whom chmod is no bar)
    line = one_line_error(xxgk("run", "--from", str(FIXTURES / "reports"), "--db", "/proc/xxgk/xxgk.duckdb"), 2)
    assert line.startswith("xxgk run: cannot write the warehouse /proc/xxgk/xxgk.duckdb") and "--db" in line


@pytest.mark.parametrize("command", [["export", "OUT"], ["docs", "--no-serve"]])
def test_reading_a_missing_warehouse_says_build_it_first(tmp_path, command):
    db = tmp_path / "none.duckdb"
    args = [str(tmp_path / a) if a == "OUT" else a for a in command]
    line = one_line_error(xxgk(*args, "--db", str(db)), 2)
    assert "build the warehouse first" in line
    assert not db.exists() and list(tmp_path.iterdir()) == []


def test_parse_of_a_missing_file_or_a_folder_is_a_usage_error(tmp_path):
    assert "no such file" in one_line_error(xxgk("parse", str(tmp_path / "none.pdf")), 2)
    assert "is a folder" in one_line_error(xxgk("parse", str(tmp_path)), 2)


def test_parse_exits_non_zero_when_the_parse_failed(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    proc = xxgk("parse", str(broken), "--json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert '"status": "failed"' in proc.stdout
    assert one_line_error(proc, 1).startswith(f"xxgk parse: {broken}: failed: ")


def test_a_closed_pipe_is_quiet():
    proc = subprocess.run(f"{' '.join(XXGK)} parse --json {SEED_REPORT} | head -n 1", shell=True, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "{" and proc.stderr == "", proc.stderr


def test_version_and_every_subcommand_help_with_an_example():
    proc = xxgk("--version")
    assert proc.returncode == 0 and re.fullmatch(r"xxgk \d+\.\d+\.\d+\n", proc.stdout)
    from dagster_project.cli import COMMANDS

    assert len(COMMANDS) >= 5
    for name in ("parse", "crawl", "run", "docs", "export"):
        proc = xxgk(name, "--help")
        assert proc.returncode == 0 and re.search(r"example:\n  xxgk " + name + " ", proc.stdout), proc.stdout
    assert "--wait SECONDS" in xxgk("run", "--help").stdout


def test_every_option_of_every_subcommand_says_what_it_does():
    import argparse

    from dagster_project.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    bare = [(name, action.option_strings or [action.dest])
            for name, sub in subparsers.choices.items() for action in sub._actions
            if not isinstance(action, argparse._HelpAction) and not (action.help or "").strip()]
    assert not bare, bare


def test_an_error_whose_first_line_stops_mid_sentence_is_read_to_its_sentence_end():
    """Regression: a dbt project that does not parse ended `xxgk run` with "The dbt CLI process
    with command", the first line of dagster-dbt's message, and nothing of what failed."""
    from dagster_project.cli import one_line

    wrapped = RuntimeError("The tool run with\n\n`tool check --fast`\n\nstopped with code `3`. Its log is "
                           "at /tmp/x/tool.log.\n\nParsed errors:\n\n" + "a long trace line\n" * 40)
    assert one_line(wrapped) == ("The tool run with `tool check --fast` stopped with code `3`. "
                                 "Its log is at /tmp/x/tool.log.")
    assert one_line(RuntimeError("no such folder: /x\nsecond line")) == "no such folder: /x"
    assert one_line(RuntimeError("one line only")) == "one line only"
    assert one_line(RuntimeError("")) == "RuntimeError"


# -- a warehouse held by another process --------------------------------------------------

@contextlib.contextmanager
def holding(db: Path, read_only: bool):
    """Another process with the warehouse open (a notebook, another run) until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time\ncon = duckdb.connect({str(db)!r}, read_only={read_only})\n"
         "print('holding', flush=True)\ntime.sleep(120)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_a_reader_holding_the_warehouse_is_named_and_the_wait_is_bounded(built, tmp_path):
    from scrapers.archive.local import archive_folder

    db = built["db"]
    # an archive file not loaded yet: the run has to write the warehouse (with nothing to
    # write it reads alongside the other reader and is done)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(FIXTURES / "reports" / "chaoyang-donghu-jd-2014.txt", other)
    assert archive_folder(other, db.parent / "archive").new_versions == 1
    before = digest(db.parent)
    with holding(db, read_only=True) as holder:
        started = time.monotonic()
        proc = xxgk("run", "--from", str(built["reports"]), "--db", str(db), "--wait", "4")
        elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    waiting = [line for line in proc.stderr.splitlines() if line.startswith("xxgk: waiting for")]
    # the first notice names the holder and comes within 2 s of the first refused open
    assert waiting and f"held by PID {holder.pid} (" in waiting[0], proc.stderr
    assert int(re.search(r"; (\d+) s of 4 s", waiting[0]).group(1)) <= 2
    assert "--wait SECONDS" in waiting[0] and "Ctrl-C" in waiting[0]
    failed = proc.stderr.strip().splitlines()[-1]
    # the folder is archived without the warehouse; the first step that writes it gives up
    assert re.fullmatch(rf"xxgk run: FAILED: (raw_documents|parsed_reports): {re.escape(str(db))} is held by PID {holder.pid} \(.*\); "
                        r"gave up after 4 s \(close that process, or wait longer with --wait SECONDS\)", failed), failed
    assert elapsed < 60
    assert digest(db.parent) == before


def test_docs_waits_for_a_held_warehouse_as_long_as_asked(built):
    db = built["db"]
    with holding(db, read_only=False) as holder:
        started = time.monotonic()
        proc = xxgk("docs", "--no-serve", "--db", str(db), "--wait", "3")
        elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stdout + proc.stderr
    waiting = [line for line in proc.stderr.splitlines() if line.startswith("xxgk: waiting for")]
    assert waiting and f"held by PID {holder.pid} (" in waiting[0], proc.stderr
    failed = proc.stderr.strip().splitlines()[-1]
    assert re.fullmatch(rf"xxgk docs: {re.escape(str(db))} is held by PID {holder.pid} \(.*\); gave up after 3 s .*", failed), failed
    assert elapsed < 30
