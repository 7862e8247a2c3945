"""Golden outputs: what the reading commands print for one fixed store, byte for byte.

The store is tests/fixtures/store/golden.sql (six runs measured once by the real `aimeter
run` through the fake NVML: tests/fixtures/store/make_golden.py says what is in it). Each
case below loads it into a fresh store and runs one command of `ls`, `report`, `export`,
`corr`, `whatif`, `compare` or `forecast`; its standard output must equal
tests/golden/NAME.out byte for byte, and its exit status and standard error must equal
tests/golden/NAME.err ("exit N" then stderr; the file exists only when the status is not 0
or stderr is not empty). Files a command writes (`export --csv FILE`, `-o FILE`) are
compared as tests/golden/NAME.FILE.

These outputs are a contract for refactorings (issue 12: "byte-identical before and
after"): when a change of behaviour is intended, regenerate them and review the diff:

    AIMETER_GOLDEN_UPDATE=1 AIMETER_BUILD=$PWD/build /usr/bin/python3 -m pytest \
        tests/e2e/test_golden.py -q -p no:cacheprovider

which rewrites the expected files of the cases it runs (and removes a .err that is no
longer expected) instead of comparing. tests/golden/README.md says the same.

Nothing here depends on the machine, the clock or the test's own paths, and nothing is
masked: every figure comes from the stored run (times are the stored wall-clock times, the
report's "host" is the stored one, which make_golden.py pinned to `golden-host`, and the
aimeter version printed is the one stored with the run); the environment is a fixed one
(TZ=UTC, LC_ALL=C.UTF-8, HOME and the XDG directories in tmp_path, no AIMETER_* variable
of the caller's); every command runs in tmp_path with the store and the input files named
by relative paths, so no message names the temporary directory.
"""
import os
import shutil
import sqlite3
import subprocess
import types

import pytest

from conftest import AIMETER, FIXTURES, REPO

GOLDEN = REPO / "tests" / "golden"
STORE_SQL = FIXTURES / "store" / "golden.sql"
INTENSITY = FIXTURES / "store" / "golden-intensity.csv"
UPDATE = os.environ.get("AIMETER_GOLDEN_UPDATE") == "1"

# The runs of the fixed store, oldest first (make_golden.py).
IDLE = "20261207-083154-1c4460"  # the idle baseline of R1
R1 = "20261207-083154-91009a"  # 2 GPUs, FR, PUE 1.2, 0.21 EUR, embodied, 4 epochs; batch=32
R2 = "20261207-083155-27198a"  # 2 GPUs, every metric, intensity + price files, 5 epochs,
#                                no stored correlation matrix (replayed); batch=32
R3 = "20261207-083157-45b4c2"  # 2 GPUs, CA-SK@marginal, PUE gcp, epochs 0..2; batch=64
R4 = "20261207-083158-a90897"  # 2 GPUs, aws:us-east-1, 3 epochs; batch=64
R5 = "20261207-083159-769624"  # no GPU, 100 g/kWh, prefill/decode (unterminated), exit 3;
#                                batch=8, slurm_job=4242, note with spaces and UTF-8

WHATIF_ZONES = "FR,DE,PL@marginal,CA-SK@marginal,FR@2010,aws:us-east-1,gcp:europe-west1@2015"

# (name, arguments, files the command writes). --db is added to every command.
CASES = [
    # ls
    ("ls", ["ls"], ()),
    ("ls-json", ["ls", "--json"], ()),
    ("ls-n2", ["ls", "-n", "2", "-f", "text"], ()),
    # report: every run in every format; the default run; a prefix; -o
    *[(f"report-{tag}-{fmt}", ["report", run, "--format", fmt], ())
      for tag, run in (("idle", IDLE), ("r1", R1), ("r2", R2), ("r3", R3), ("r4", R4),
                       ("r5", R5))
      for fmt in ("text", "json", "markdown")],
    ("report-last", ["report"], ()),
    ("report-prefix", ["report", R3[:17]], ()),
    ("report-ambiguous", ["report", "20261207-0831"], ()),
    ("report-unknown", ["report", "20991231"], ()),
    ("report-output", ["report", R1, "-f", "markdown", "-o", "report.md"], ("report.md",)),
    # export
    *[(f"export-{tag}-{what}", ["export", run, f"--{what}", "-"], ())
      for tag, run in (("r1", R1), ("r2", R2), ("r5", R5))
      for what in ("csv", "columns", "json")],
    ("export-files", ["export", R2, "--csv", "series.csv"], ("series.csv", "series.columns.csv")),
    ("export-columns-file", ["export", R4, "--columns", "cols.csv"], ("cols.csv",)),
    # corr: the stored matrix (R1, R5) and the replayed one (R2)
    *[(f"corr-r1-{fmt}", ["corr", R1, "-f", fmt], ()) for fmt in ("text", "csv", "json")],
    *[(f"corr-r1-matrix-{fmt}", ["corr", R1, "--matrix", "-f", fmt], ())
      for fmt in ("text", "csv", "json")],
    ("corr-r1-min-abs-top", ["corr", R1, "--min-abs", "0.5", "--top", "2"], ()),
    ("corr-r1-matrix-min-abs", ["corr", R1, "--matrix", "--min-abs", "0.5", "-f", "csv"], ()),
    ("corr-r1-top0", ["corr", R1, "--top", "0", "-f", "csv"], ()),
    ("corr-r1-recompute", ["corr", R1, "--recompute"], ()),
    ("corr-r1-recompute-json", ["corr", R1, "--recompute", "-f", "json"], ()),
    ("corr-r1-phase", ["corr", R1, "--phase", "epoch 2", "-f", "json"], ()),
    ("corr-r1-phase-step", ["corr", R1, "--phase", "step"], ()),
    ("corr-r1-phase-unknown", ["corr", R1, "--phase", "nope"], ()),
    *[(f"corr-r2-{fmt}", ["corr", R2, "-f", fmt], ()) for fmt in ("text", "csv", "json")],
    ("corr-r2-matrix-text", ["corr", R2, "--matrix"], ()),
    ("corr-r5", ["corr", R5], ()),
    ("corr-r5-phase", ["corr", R5, "--phase", "decode", "-f", "csv"], ()),
    ("corr-output", ["corr", R1, "--matrix", "-f", "json", "-o", "m.json"], ("m.json",)),
    # whatif: zones, years, marginal, cloud regions, a file, a PUE, hardware
    ("whatif-r1-zones", ["whatif", R1, "--zones", WHATIF_ZONES], ()),
    ("whatif-r1-zones-json", ["whatif", R1, "--zones", WHATIF_ZONES, "--json"], ()),
    ("whatif-r1-pue", ["whatif", R1, "--zones", "US-CAL-CISO,WORLD@2000", "--pue", "aws"], ()),
    ("whatif-r2-file", ["whatif", R2, "--zones", "FR", "--intensity-file",
                        "golden-intensity.csv"], ()),
    ("whatif-r2-file-json", ["whatif", R2, "--zones", "SE@average", "--intensity-file",
                             "golden-intensity.csv", "--json"], ()),
    ("whatif-r3", ["whatif", R3, "--zones", "CA-SK,CA-SK@2019,CA-MB"], ()),
    ("whatif-r5", ["whatif", R5, "--zones", "FR,IN@marginal"], ()),
    ("whatif-last-json", ["whatif", "--zones", "PL", "--json"], ()),
    ("whatif-r1-hardware", ["whatif", R1, "--hardware", "A100,L4,H100"], ()),
    ("whatif-r1-hardware-json", ["whatif", R1, "--hardware", "A100,L4", "--json"], ()),
    ("whatif-r4-hardware-zones", ["whatif", R4, "--hardware", "A100,V100", "--zones",
                                  "FR,PL@marginal,FR@2010"], ()),
    ("whatif-r4-hardware-zones-json", ["whatif", R4, "--hardware", "L4", "--zones",
                                       "DE,gcp:europe-west1", "--pue", "1.5", "--json"], ()),
    ("whatif-r1-gpu-spec", ["whatif", R1, "--hardware", "A100,Zeta Z9", "--gpu-spec",
                            "Zeta Z9:tdp=500,tflops=1000", "--gpu-spec", "A100:tdp=250"], ()),
    ("whatif-r1-gpu-spec-measured", ["whatif", R1, "--hardware", "L4", "--gpu-spec",
                                     "NVIDIA H100 80GB HBM3:tdp=600", "--json"], ()),
    ("whatif-r5-hardware", ["whatif", R5, "--hardware", "A100"], ()),
    ("whatif-bad-year", ["whatif", R1, "--zones", "FR@2031"], ()),
    # compare: runs side by side, a baseline, groups by tag
    *[(f"compare-runs-{fmt}", ["compare", R1, R2, R3, R4, "-f", fmt], ())
      for fmt in ("text", "markdown", "json", "csv")],
    ("compare-baseline", ["compare", R1, R2, R5, "--baseline", R3], ()),
    ("compare-baseline-json", ["compare", R4, R5, "--baseline", R4, "-f", "json"], ()),
    *[(f"compare-by-batch-{fmt}", ["compare", "--by", "batch", "-f", fmt], ())
      for fmt in ("text", "markdown", "json", "csv")],
    ("compare-by-batch-baseline", ["compare", "--by", "batch", "--baseline", R3], ()),
    ("compare-by-model-runs", ["compare", R1, R2, R3, R5, "--by", "model"], ()),
    ("compare-by-note-csv", ["compare", R1, R5, "--by", "note", "-f", "csv"], ()),
    ("compare-output", ["compare", R1, R2, "-f", "csv", "-o", "cmp.csv"], ("cmp.csv",)),
    ("compare-one-run", ["compare", R1], ()),
    ("compare-unknown-tag", ["compare", "--by", "nosuchtag"], ()),
    # forecast
    ("forecast-r1", ["forecast", R1, "--epochs", "8"], ()),
    ("forecast-r1-json", ["forecast", R1, "--epochs", "8", "--json"], ()),
    ("forecast-r1-until", ["forecast", R1, "--until", "phase epoch ends", "--count", "8"], ()),
    ("forecast-r1-live", ["forecast", R1, "--epochs", "6", "--live", "--every", "100ms"], ()),
    ("forecast-r1-step", ["forecast", R1, "--phase", "step", "--epochs", "12", "-f", "json"],
     ()),
    ("forecast-r2-skip", ["forecast", R2, "--epochs", "10", "--skip", "1"], ()),
    ("forecast-r2-skip-json", ["forecast", R2, "--epochs", "10", "--skip", "1", "--json"], ()),
    ("forecast-r3", ["forecast", R3, "--epochs", "5"], ()),
    ("forecast-r4-json", ["forecast", R4, "--epochs", "3", "--json"], ()),
    ("forecast-r4-below", ["forecast", R4, "--epochs", "2"], ()),
    ("forecast-r5", ["forecast", R5, "--epochs", "4"], ()),
]


def clean_env(home):
    """The environment of every golden command: nothing of the caller's but PATH and the
    sanitizers' options; the time zone and locale fixed (the outputs are meant to depend on
    neither, and this test would show it if they did)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "LC_ALL": "C.UTF-8",
           "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_RUNTIME_DIR": str(home / "run"),
           "AIMETER_SYSTEM_ROOT": str(home / "no-system-root")}
    for k, v in os.environ.items():
        if k.startswith(("ASAN_", "UBSAN_", "LSAN_", "MSAN_")):
            env[k] = v
    return env


def load_store(path):
    con = sqlite3.connect(path)
    con.executescript(STORE_SQL.read_text(encoding="utf-8"))
    con.close()


def check(path, actual: bytes, problems):
    """Compares (or, with AIMETER_GOLDEN_UPDATE=1, writes) one expected file."""
    if UPDATE:
        path.write_bytes(actual)
        return
    if not path.is_file():
        problems.append(f"{path.name}: missing (AIMETER_GOLDEN_UPDATE=1 writes it)")
        return
    expected = path.read_bytes()
    if expected != actual:
        at = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b),
                  min(len(expected), len(actual)))
        line = expected[:at].count(b"\n") + 1
        problems.append(f"{path.name}: differs from byte {at} (line {line}): expected "
                        f"{expected[at:at + 60]!r}, got {actual[at:at + 60]!r}")


def check_streams(golden, name, r, problems):
    """Compares a finished command's stdout with golden/NAME.out, and its exit status and
    stderr with golden/NAME.err (expected only when the status is not 0 or stderr is not
    empty); with AIMETER_GOLDEN_UPDATE=1 writes them instead."""
    check(golden / f"{name}.out", r.stdout, problems)
    err_path = golden / f"{name}.err"
    if r.returncode != 0 or r.stderr:
        check(err_path, b"exit %d\n" % r.returncode + r.stderr, problems)
    elif UPDATE:
        err_path.unlink(missing_ok=True)
    elif err_path.exists():
        problems.append(f"{err_path.name}: expected exit status and stderr "
                        f"{err_path.read_bytes()[:200]!r}, got exit 0 and no stderr")


def run_case(name, args, files, tmp_path, work, db):
    """Runs a case in work on the store db (golden.db there, or a URL: shown as golden.db in
    what aimeter prints, as it is on SQLite) and checks its streams and files."""
    shutil.copyfile(INTENSITY, work / "golden-intensity.csv")
    r = subprocess.run([str(AIMETER), *args, "--db", db], cwd=work,
                       env=clean_env(tmp_path), stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=120)
    where = db.encode()
    r = types.SimpleNamespace(returncode=r.returncode,
                              stdout=r.stdout.replace(where, b"golden.db"),
                              stderr=r.stderr.replace(where, b"golden.db"))
    problems = []
    check_streams(GOLDEN, name, r, problems)
    for f in files:
        out = work / f
        if not out.is_file():
            problems.append(f"{f}: not written")
            continue
        check(GOLDEN / f"{name}.{f}", out.read_bytes(), problems)
    assert not problems, f"{name}: aimeter {' '.join(args)}\n" + "\n".join(problems)


@pytest.mark.parametrize("name,args,files", CASES, ids=[c[0] for c in CASES])
def test_golden(name, args, files, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    load_store(work / "golden.db")
    run_case(name, args, files, tmp_path, work, "golden.db")


def test_every_golden_file_belongs_to_a_case():
    """A renamed or removed case leaves no expected file behind that nothing compares."""
    # estimate/: test_golden_estimate.py checks its own; plots/: test_plot_golden.py
    known = {"README.md", "estimate", "plots"}
    for name, _, files in CASES:
        known |= {f"{name}.out", f"{name}.err"} | {f"{name}.{f}" for f in files}
    assert len({c[0] for c in CASES}) == len(CASES), "two cases share a name"
    orphans = sorted(p.name for p in GOLDEN.iterdir() if p.name not in known)
    assert not orphans, f"files in tests/golden that no case compares: {orphans}"
