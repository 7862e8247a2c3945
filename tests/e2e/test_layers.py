"""The layer rule of docs/architecture.md: the checker (tools/check_layers.py) passes on the
tree and names the file of every kind of break, and the build's include views make an upward
include fail to compile."""
import shutil
import subprocess
from pathlib import Path

from conftest import BUILD, PYTHON, REPO

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


def test_libpq_and_the_shared_sql_stay_in_the_store(tmp_path):
    root = copy_tree(tmp_path)
    append(root / "src/lib/api/public.c", "/* PQexec(conn, sql) */")
    append(root / "src/lib/engine/writer.c", '#include "store/sql/sql.h"')
    lines = run_check(root).stdout.splitlines()
    assert "src/lib/api/public.c: names libpq; only src/lib/store/postgres/ may" in lines
    assert ('src/lib/engine/writer.c: #include "store/sql/sql.h": only the store may see a '
            'back-end; use store/store.h') in lines


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


LINKS = REPO / "tools" / "check_layer_links.py"


def test_link_check_passes_on_the_build():
    r = subprocess.run([PYTHON, str(LINKS), str(BUILD / "src" / "lib")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    assert "every symbol used is defined in the layer or below" in r.stdout
    assert "aim_ functions are the public ones" in r.stdout


def static_lib(tmp_path, layer, code):
    src = tmp_path / f"{layer}_part.c"
    src.write_text(code)
    obj = tmp_path / f"{layer}_part.c.o"
    subprocess.run(["cc", "-c", "-o", str(obj), str(src)], check=True)
    subprocess.run(["ar", "rcs", str(tmp_path / f"libaim_{layer}.a"), str(obj)], check=True)


def test_a_call_up_through_the_public_header_is_named(tmp_path):
    # what the include rule cannot see: report calls a public function api defines
    static_lib(tmp_path, "api", "int aim_version(void);\n"
                                "int aim_version(void) { return 1; }\n")
    static_lib(tmp_path, "report", "int aim_version(void);\nint render(void);\n"
                                   "int render(void) { return aim_version(); }\n")
    r = subprocess.run([PYTHON, str(LINKS), str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "libaim_report.a report_part.c.o: uses aim_version, defined in api "
        "(report may not use api)"]


def test_an_internal_function_named_like_a_public_one_is_named(tmp_path):
    static_lib(tmp_path, "util", "int aim_helper_thing(void);\nint aim__fine(void);\n"
                                 "int aim_helper_thing(void) { return 1; }\n"
                                 "int aim__fine(void) { return 2; }\n")
    r = subprocess.run([PYTHON, str(LINKS), str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "libaim_util.a: aim_helper_thing is not in aimeter.h but named like a public "
        "function; call it aim__helper_thing"]
