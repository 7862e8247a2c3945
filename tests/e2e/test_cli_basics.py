"""Help, version, dispatch and `aimeter devices`: the parts that need no store."""
import json
import re

import pytest

from conftest import EX_USAGE, assert_one_error, run_aimeter

SUBCOMMANDS = ["run", "ls", "report", "export", "devices"]


def test_top_level_help():
    for flag in ("--help", "-h", "help"):
        r = run_aimeter(flag)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("Usage: aimeter")
        for cmd in SUBCOMMANDS:
            assert re.search(rf"^\s+{cmd}\b", r.stdout, re.M), f"--help does not list {cmd}"


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_subcommand_help(cmd):
    r = run_aimeter(cmd, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"Usage: aimeter {cmd}"), r.stdout
    assert r.stderr == ""


def test_run_help_lists_every_option():
    out = run_aimeter("run", "--help").stdout
    for opt in ("--interval", "-i,", "--name", "-n,", "--db", "--csv", "--json", "--sources",
                "--intensity", "--zone", "--quiet", "-q,"):
        assert opt in out, f"run --help does not mention {opt}"


def test_version():
    for flag in ("--version", "-V"):
        r = run_aimeter(flag)
        assert r.returncode == 0
        assert re.fullmatch(r"aimeter \d+\.\d+\.\d+\n", r.stdout), r.stdout


def test_no_arguments_is_a_usage_error():
    r = run_aimeter()
    assert r.returncode == EX_USAGE
    assert "Usage: aimeter" in r.stderr
    assert r.stdout == ""


def test_unknown_command():
    line = assert_one_error(run_aimeter("frobnicate"), EX_USAGE)
    assert "frobnicate" in line


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_unknown_option_on_every_subcommand(cmd):
    line = assert_one_error(run_aimeter(cmd, "--no-such-option"), EX_USAGE)
    assert "--no-such-option" in line


def test_devices_lists_every_source_with_a_status():
    r = run_aimeter("devices")
    assert r.returncode == 0, r.stderr
    for source in ("procfs", "proctree", "rapl", "hwmon", "estimate"):
        m = re.search(rf"^{source}\s+(\S+)", r.stdout, re.M)
        assert m, f"devices does not list {source}:\n{r.stdout}"
        assert m.group(1) in ("available", "unavailable"), m.group(0)
    # This machine can always read /proc.
    assert re.search(r"^procfs\s+available", r.stdout, re.M)


def test_devices_json():
    r = run_aimeter("devices", "--json")
    assert r.returncode == 0, r.stderr
    sources = json.loads(r.stdout)
    by_name = {s["source"]: s for s in sources}
    assert {"procfs", "rapl", "hwmon", "estimate"} <= set(by_name)
    for s in sources:
        assert s["status"] in ("available", "unavailable")
        assert isinstance(s["checks"], list)
        for c in s["checks"]:
            assert {"what", "status", "detail"} <= set(c)
    assert by_name["procfs"]["status"] == "available"


def test_devices_rejects_arguments():
    assert_one_error(run_aimeter("devices", "extra"), EX_USAGE)
