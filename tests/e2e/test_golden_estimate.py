"""Golden outputs of `aimeter estimate`: text and JSON, byte for byte, for a broad set of
inputs (every option, every default, each input source: the GPU, CPU, zone, PUE and embodied
tables) and for the usage errors (exit status and the one line on stderr).

Issue 12 moved the defaulting of the inputs and the JSON out of src/cli/estimate.c into the
library; these files were recorded before that move, so they show it changed nothing.
Expected files are tests/golden/estimate/NAME.out (and NAME.err: "exit N" then stderr, only
when the status is not 0 or stderr is not empty); AIMETER_GOLDEN_UPDATE=1 rewrites them, as
for tests/e2e/test_golden.py, whose environment and comparison this test shares.
"""
import subprocess

import pytest

from conftest import AIMETER, REPO
from test_golden import check_streams, clean_env

GOLDEN = REPO / "tests" / "golden" / "estimate"

H100 = ["--gpu", "H100", "--hours", "1"]

# (name, arguments). Each runs as text and with --json (name-json).
CASES = [
    ("issue-example", ["--gpu", "H100", "--count", "8", "--hours", "72", "--util", "0.7",
                       "--pue", "1.1", "--intensity", "100"]),
    ("green-algorithms", ["--gpu", "H100", "--count", "8", "--util", "70%", "--cpu",
                          "Xeon Gold 6248", "--cores", "16", "--memory", "64", "--hours", "72",
                          "--pue", "1.1", "--intensity", "475"]),
    ("defaults", ["--gpu", "L4", "--hours", "1"]),
    ("time-pue-name", ["--gpu", "A100 80GB", "-n", "4", "--time", "90m", "--pue", "gcp"]),
    ("pue-average", ["--gpu", "V100", "--time", "3600s", "--pue", "average"]),
    ("exact-name", ["--gpu", "NVIDIA H100 SXM5 80GB", "--hours", "2"]),
    ("zone", ["--gpu", "H100", "--hours", "10", "--zone", "FR"]),
    ("zone-year", ["--gpu", "H100", "--hours", "10", "--zone", "DE@2015"]),
    ("zone-marginal", ["--gpu", "H100", "--hours", "10", "--zone", "PL", "--marginal"]),
    ("zone-subnational-marginal", ["--gpu", "H100", "--hours", "1", "--zone", "CA-SK",
                                   "--marginal"]),
    ("zone-at-marginal", ["--gpu", "H100", "--hours", "1", "--zone", "IN@marginal"]),
    ("zone-cloud", ["--gpu", "H100", "--hours", "1", "--zone", "aws:us-east-1"]),
    ("zone-cloud-year", ["--gpu", "L4", "--hours", "1", "--zone", "gcp:europe-west1@2015"]),
    ("intensity-over-zone", ["--gpu", "H100", "--hours", "1", "--zone", "FR",
                             "--intensity", "300"]),
    ("cpu-package", ["--cpu", "AMD EPYC 9654", "--hours", "2"]),
    ("cpu-model-default-cores", ["--cpu", "Xeon Gold 6248", "--hours", "2"]),
    ("cpu-util", ["--cpu", "Xeon Gold 6248", "--cores", "4", "--cpu-util", "50%",
                  "--hours", "1"]),
    ("cores-alone", ["--cores", "8", "--hours", "3"]),
    ("cpu-tdp-cores", ["--cpu-tdp", "12.5", "--cores", "32", "--hours", "1"]),
    ("cpu-tdp-over-model", ["--cpu", "Xeon Gold 6248", "--cpu-tdp", "9", "--hours", "1"]),
    ("gpu-tdp-unknown", ["--gpu", "Zeta Z9", "--gpu-tdp", "450", "--hours", "5"]),
    ("gpu-tdp-over-table", ["--gpu", "H100", "--gpu-tdp", "500", "--hours", "5"]),
    ("gpu-tdp-alone", ["--gpu-tdp", "300", "-n", "2", "--hours", "1"]),
    ("memory-only", ["--memory", "128", "--hours", "10"]),
    ("util-percent", ["--gpu", "MI300X", "-u", "35%", "--hours", "0.5"]),
    ("tpu", ["--gpu", "TPU v4", "--count", "64", "--hours", "24", "--zone", "US-CA"]),
    ("embodied", ["--gpu", "H100", "--count", "8", "--memory", "640", "--hours", "72",
                  "--embodied", "--servers", "1", "--zone", "FR"]),
    ("embodied-cpu-servers", ["--cores", "16", "--hours", "10", "--embodied", "--servers",
                              "2"]),
    ("embodied-nothing", ["--cores", "16", "--hours", "10", "--embodied"]),
    ("embodied-unknown-gpu", ["--gpu", "Zeta Z9", "--gpu-tdp", "450", "--hours", "5",
                              "--embodied"]),
    ("large-carbon", ["--gpu", "H100", "--count", "10000", "--hours", "2000",
                      "--intensity", "900"]),
    ("utf8-name", ["--gpu", "Z\u00e9ta \u2603", "--gpu-tdp", "100", "--hours", "1"]),
    ("everything", ["-g", "A100", "-n", "2", "-t", "2h", "-u", "0.5", "--cpu", "EPYC 7763",
                    "--cores", "16", "--cpu-util", "0.25", "-m", "256", "-z", "US-CA",
                    "--pue", "1.3", "--embodied", "--servers", "1"]),
]

# Listings and usage errors: run once, as given.
SINGLE = [
    ("list-gpus", ["--list-gpus"]),
    ("list-gpus-json", ["--list-gpus", "--json"]),
    ("help", ["--help"]),
    ("err-unknown-gpu", ["--gpu", "H1000", "--hours", "1"]),
    ("err-ambiguous-gpu", ["--gpu", "A100 PCIe", "--hours", "1"]),
    ("err-near-miss", ["--gpu", "TPU v5", "--hours", "1"]),
    ("err-count", [*H100, "--count", "0"]),
    ("err-count-large", [*H100, "--count", "99999999999"]),
    ("err-util", [*H100, "--util", "150%"]),
    ("err-hours", ["--gpu", "H100", "--hours", "-1"]),
    ("err-pue", [*H100, "--pue", "alibaba"]),
    ("err-pue-range", [*H100, "--pue", "6"]),
    ("err-intensity", [*H100, "--intensity", "6000"]),
    ("err-memory", [*H100, "--memory", "x"]),
    ("err-gpu-tdp", [*H100, "--gpu-tdp", "0"]),
    ("err-cpu-tdp", [*H100, "--cpu-tdp", "0"]),
    ("err-zone", [*H100, "--zone", "XX-NOWHERE"]),
    ("err-zone-year", [*H100, "--zone", "FR@2031"]),
    ("err-servers", [*H100, "--servers", "2"]),
    ("err-option", [*H100, "--bogus"]),
    ("err-argument", [*H100, "extra-argument"]),
    ("err-no-time", ["--gpu", "H100"]),
    ("err-time-twice", ["--gpu", "H100", "--hours", "1", "--time", "1h"]),
    ("err-time", ["--gpu", "H100", "--time", "3 days"]),
    ("err-nothing", ["--hours", "1"]),
    ("err-count-without-gpu", ["--count", "2", "--hours", "1"]),
    ("err-cpu-util-without-cpu", ["--cpu-util", "0.5", "--hours", "1", "--memory", "1"]),
    ("err-unknown-cpu", ["--cpu", "Quantum 9000", "--hours", "1"]),
    ("err-ambiguous-cpu", ["--cpu", "Xeon Gold", "--hours", "1"]),
    ("err-cpu-tdp-without-cores", ["--cpu-tdp", "5", "--hours", "1"]),
    ("err-package-cores", ["--cpu", "AMD EPYC 9654", "--cores", "8", "--hours", "1"]),
    ("err-marginal-without-zone", [*H100, "--marginal"]),
    ("err-marginal-average", [*H100, "--zone", "FR@average", "--marginal"]),
    ("err-hours-large", ["--gpu", "H100", "--hours", "1000001"]),
]

ALL = [*[(name, args) for name, args in CASES],
       *[(f"{name}-json", [*args, "--json"]) for name, args in CASES],
       *SINGLE]


@pytest.mark.parametrize("name,args", ALL, ids=[c[0] for c in ALL])
def test_golden_estimate(name, args, tmp_path):
    r = subprocess.run([str(AIMETER), "estimate", *args], cwd=tmp_path,
                       env=clean_env(tmp_path), stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=60)
    problems = []
    check_streams(GOLDEN, name, r, problems)
    assert not problems, "\n".join(problems)


def test_every_estimate_golden_file_belongs_to_a_case():
    """A renamed or removed case leaves no expected file behind that nothing compares."""
    known = {f"{name}.{ext}" for name, _ in ALL for ext in ("out", "err")}
    assert len({c[0] for c in ALL}) == len(ALL), "two cases share a name"
    orphans = sorted(p.name for p in GOLDEN.iterdir() if p.name not in known)
    assert not orphans, f"files in tests/golden/estimate that no case compares: {orphans}"
