"""The layer rule of docs/architecture.md: the checker (tools/check_layers.py) passes on the
tree and names the file of every kind of break, and the build's include views make an upward
include fail to compile."""
import shutil
import subprocess
from pathlib import Path

from conftest import REPO, PYTHON

CHECK = REPO / "tools" / "check_layers.py"


def run_check(root):
    return subprocess.run([PYTHON, str(CHECK), str(root)], capture_output=True, text=True)


def test_tree_keeps_the_rule():
    r = run_check(REPO)
    assert r.returncode == 0, r.stdout
    assert "every include goes down the layers" in r.stdout


def copy_tree(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(REPO / "src", root / "src", symlinks=True)
    return root


def append(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def test_upward_include_is_named(tmp_path):
    root = copy_tree(tmp_path)
    append(root / "src/lib/processing/stats.c", '#include "engine/session_internal.h"')
    r = run_check(root)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        'src/lib/processing/stats.c: #include "engine/session_internal.h": processing may not '
        'use engine (it may use data, model, util)']


def test_report_may_not_read_the_store(tmp_path):
    root = copy_tree(tmp_path)
    append(root / "src/lib/report/text.c", '#include "store/db.h"')
    r = run_check(root)
    assert r.returncode == 1 and "report may not use store" in r.stdout


def test_cli_sees_only_the_public_header_and_util(tmp_path):
    root = copy_tree(tmp_path)
    append(root / "src/cli/ls.c", '#include "processing/stats.h"')
    r = run_check(root)
    assert r.returncode == 1
    assert "src/cli/ls.c" in r.stdout and "cli may use aimeter.h and util only" in r.stdout


def test_sqlite_outside_its_folder_and_bare_or_relative_includes(tmp_path):
    root = copy_tree(tmp_path)
    append(root / "src/lib/api/public.c", "/* sqlite3_exec */")
    append(root / "src/lib/engine/writer.c", '#include "catalog.h"')
    append(root / "src/lib/model/metrics.c", '#include "../engine/session_internal.h"')
    lines = run_check(root).stdout.splitlines()
    assert "src/lib/api/public.c: names SQLite; only src/lib/store/sqlite/ may" in lines
    assert any(l.startswith("src/lib/engine/writer.c") and "has no layer" in l for l in lines)
    assert any(l.startswith("src/lib/model/metrics.c") and "goes around" in l for l in lines)


def test_only_the_store_sees_its_back_end(tmp_path):
    root = copy_tree(tmp_path)
    append(root / "src/lib/engine/writer.c", '#include "store/sqlite/schema.h"')
    r = run_check(root)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        'src/lib/engine/writer.c: #include "store/sqlite/schema.h": only the store may see a '
        'back-end; use store/store.h']


def test_a_view_wider_than_the_table_is_named(tmp_path):
    root = copy_tree(tmp_path)
    (root / "src/views/report/store").symlink_to("../../lib/store")
    r = run_check(root)
    assert r.returncode == 1
    assert r.stdout.startswith("src/views/report: links model, processing, report, store, util")


def compile_in_view(tmp_path, layer, include):
    src = tmp_path / "probe.c"
    src.write_text(f'#include "{include}"\nint probe(void);\nint probe(void) {{ return 0; }}\n')
    return subprocess.run(["cc", "-fsyntax-only", "-std=gnu11", "-D_GNU_SOURCE",
                           "-I", str(REPO / "src/views" / layer), "-I", str(REPO / "include"),
                           str(src)], capture_output=True, text=True)


def test_the_build_views_refuse_an_upward_include(tmp_path):
    assert compile_in_view(tmp_path, "processing", "model/metrics.h").returncode == 0
    up = compile_in_view(tmp_path, "processing", "engine/session_internal.h")
    assert up.returncode != 0 and "engine/session_internal.h" in up.stderr
    assert compile_in_view(tmp_path, "report", "store/db.h").returncode != 0
    assert compile_in_view(tmp_path, "cli", "util/numfmt.h").returncode == 0
    assert compile_in_view(tmp_path, "cli", "model/metrics.h").returncode != 0
