"""Exports through the library's write callback (aim_write_fn, issue 12): the bytes the CLI
writes, and a failing sink stops the export with its own exception."""
import subprocess
import time

import pytest

import aimeter
from aimeter import _lib
from aimeter.summary import _Store
from conftest import AIMETER


@pytest.fixture
def run_id(db):
    with aimeter.track("exported", interval="20ms", db=db, quiet=True, zone="FR") as t:
        time.sleep(0.1)
    return t.run_id


def test_csv_text_is_the_cli_export(run_id, db, tmp_path):
    with _Store(db) as store:
        text = store.export_csv_text(run_id)
        store.export_csv_file(run_id, tmp_path / "s.csv")
    cli = subprocess.run([str(AIMETER), "export", run_id, "--csv", "-", "--db", db],
                         capture_output=True)
    assert cli.returncode == 0, cli.stderr
    assert text.encode() == cli.stdout
    assert (tmp_path / "s.csv").read_bytes() == cli.stdout
    columns = (tmp_path / "s.columns.csv").read_text()
    assert columns.startswith("column,device,metric,unit,method,energy\n")


def test_a_failing_sink_stops_the_export(run_id, db):
    calls = []

    def sink(data):
        calls.append(len(data))
        raise OSError(28, "No space left on device")

    with _Store(db) as store:
        with pytest.raises(OSError) as e:
            store._export(_lib.lib().aim_export_csv, run_id, sink, "test")
    assert e.value.errno == 28
    assert len(calls) == 1  # stopped at the first block
