"""Every code block of README.md and docs/*.md is compiled, run or checked against this build
(issue 11: the C example of docs/api.md did not compile and crashed when a render failed).

- ```c: the blocks of one file, in order, are the body of one main() (after the includes and
  stubs for the workload placeholders: run_inference(), run_prefill(), decode_one(), n), built
  with -Wall -Wextra -Werror against libaimeter and run. A block that uses a session `s` it
  does not declare (the phases example) gets one of its own, started around it.
- ```python: run by /usr/bin/python3 over this build (the package in python/), after stubs for
  the placeholders (run_inference, train, n, loader, step); the lightning and Hugging Face
  ones, whose frameworks are not installed here, are compiled and their aimeter imports run.
- ```sql: run against a store with real runs (phases, records, tags, two fake GPUs).
- ```sh and blocks of `$ ` lines: run by bash in a scratch directory where the placeholders
  of the docs (./train, ./bench, python3 train.py, make, ...) are stubs that exit 0, with
  `aimeter` this build, RUN / FILE / run ids replaced by real ones, the live providers
  replaced by the loopback mocks (mock_providers.py). The lines after a `$ ` command are the
  output it shows, checked against the real output (see OUTPUT_LINES).
- unlabelled blocks that start with `aimeter SUBCOMMAND`: a synopsis; every option in it must
  be in `aimeter SUBCOMMAND --help`.
- the other unlabelled blocks are output samples or formulas: each is listed in SAMPLES with
  the command whose output it shows and a line that output must have, or in NOT_CODE.

NOT_RUN lists, with the reason, the few blocks that only get a syntax check (bash -n, or
compile()). A block in none of these categories fails the test: a new one must be runnable
or say why not.
"""
import json
import os
import re
import sqlite3
import ssl
import subprocess

import pytest

from conftest import AIMETER, BUILD, PYTHON, REPO, gpu_env, kill_tree, ls_json, run_aimeter
from fakeproc import library_env, sanitizers
from mock_providers import MockProvider
from test_prometheus_auth import Served, basic, get, make_cert

DOCS = [REPO / "README.md"] + sorted((REPO / "docs").glob("*.md"))
EM_KEY = "0123456789abcdef"  # the key docs/providers.md shows in its credentials file

# Blocks that are not run, only syntax-checked, and why. Keyed by (file, first line).
NOT_RUN = {
    ("docs/slurm.md", "sudo install -m 0755 build/contrib/slurm/aimeter_spank.so"):
        "installs the SPANK plugin on a SLURM node as root; test_slurm.py loads it; bash -n",
    ("docs/slurm.md", "sbatch --aimeter=tag:project=llm"):
        "needs a SLURM cluster; tests/e2e/test_slurm.py starts one and runs such jobs; bash -n",
    ("docs/slurm.md", "aimeter jobs --user alice"):
        "needs a store with job runs; test_slurm.py makes them, the jobs tests run both; bash -n",
    ("README.md", "./bootstrap.sh"):
        "installs packages with apt-get and runs every test; bash -n",
    ("docs/agent.md", "aimeter agent --listen 10425 --db /tmp/node.db &"):
        "leaves an agent running in the background; tests/e2e/test_agent.py drives one; bash -n",
    ("docs/agent.md", "sudo cp contrib/systemd/aimeter-agent.service"):
        "installs a systemd unit as root; test_systemd_unit.py verifies the unit; bash -n",
    ("docs/agent.md", "#!/bin/sh"):
        "a batch script: needs a SLURM job and a running agent (test_agent.py); bash -n",
    ("docs/permissions.md", "sudo groupadd --system power"):
        "changes the system's groups and udev rules as root; bash -n",
    ("docs/providers.md", "mkdir -p ~/.config/aimeter"):
        "opens an editor; bash -n (the file it writes is the ini block, which is run)",
    ("docs/python.md", "from aimeter.lightning import AimeterCallback"):
        "needs Lightning and a model; compiled, its import run",
    ("docs/python.md", "from aimeter.huggingface import AimeterCallback"):
        "needs transformers and a model; compiled, its import run",
    ("docs/testing.md", "CC=clang meson setup build-fuzz -Dfuzz=true"):
        "the clang fuzz build; run-tests.sh makes it and runs its targets; bash -n",
    ("docs/testing.md", "mkdir -p /tmp/new"):
        "fuzzes for a minute and needs the clang fuzz build; bash -n",
    ("docs/testing.md", "nohup fuzz/run-campaign.sh"):
        "a campaign of hours in the background; bash -n",
    ("docs/testing.md", "meson test -C build --suite unit test_store"):
        "runs tests of this suite from inside it; bash -n",
    ("docs/testing.md", "for i in 1 2; do nice -n -5 sh -c"):
        "loads the machine and runs the whole suite from inside it; bash -n",
    ("docs/testing.md", "AIMETER_BUILD=$PWD/build /usr/bin/python3 -m pytest tests/e2e/test_html_browser.py"):
        "runs a test file of this suite from inside it; bash -n",
    ("docs/install.md", "/usr/bin/python3 -m venv --system-site-packages ~/venvs/aimeter"):
        "builds the package and installs it into a venv: tests/e2e/test_pip_install.py runs "
        "this block as it is, in a copy of the tree; bash -n",
    ("docs/install.md", "/usr/bin/python3 -m pip wheel --no-build-isolation"):
        "builds the wheel and installs it into a venv: tests/e2e/test_pip_install.py runs "
        "this block as it is, in a copy of the tree; bash -n",
    ("docs/store.md", "# this node's runs into the shared store"):
        "needs a PostgreSQL server; tests/e2e/test_push.py pushes into one; bash -n",
    ("docs/packaging.md", "meson install -C build"):
        "installs into the system's prefix as root; test_man_completion.py installs into a "
        "DESTDIR and checks the places; bash -n",
    ("docs/packaging.md", "sudo apt-get install --no-install-recommends debhelper"):
        "installs packages as root and builds the .debs (a minute or two); test_debian.py "
        "builds, lints and runs them; bash -n",
    ("docs/packaging.md", "docker build -t aimeter ."):
        "no image registry is reachable from these machines: the image cannot be built; bash -n",
    ("docs/packaging.md", "docker run --rm --gpus all"):
        "needs the image (not buildable here), GPUs and the NVIDIA Container Toolkit; bash -n",
    ("docs/packaging.md", "docker run --rm --runtime=nvidia"):
        "needs the image (not buildable here), GPUs and the NVIDIA Container Toolkit; bash -n",
}

# Blocks that are not code: formulas, a byte layout, a udev rule (docs/permissions.md, as the
# file it goes into). Keyed by (file, first line).
NOT_CODE = {
    ("docs/agent.md", "# sudo systemctl edit aimeter-agent"):
        "a systemd override for a fleet's agents; test_spool.py runs an agent with --db "
        "postgresql:// and --spool; test_systemd_unit.py verifies the unit",
    ("docs/slurm.md", "optional /usr/lib/x86_64-linux-gnu/slurm-wlm/aimeter_spank.so"):
        "a plugstack.conf line; test_slurm.py writes one that loads the built plugin",
    ("docs/cli.md", "  - job_name: aimeter"):
        "a fragment of prometheus.yml; test_prometheus_auth.py scrapes with a real Prometheus "
        "configured with the same keys",
    ("docs/methodology.md", "P = n_packages × TDP × (r_idle + (1 − r_idle) × u)"): "formula",
    ("docs/methodology.md", "P = n_cpus × (W_min + u × (W_max − W_min))"): "formula",
    ("docs/methodology.md", "P = 0.3725 W/GB × used_GiB × 1.073741824 GB/GiB"): "formula",
    ("docs/methodology.md", "E = t × (n_cores × P_core × u_core + n_gpu × P_gpu × u_gpu + mem × P_mem) × PUE"): "formula",
    ("docs/methodology.md", "share = kg_CO2e × run_seconds / (lifetime_years × 365.25 × 86400)"): "formula",
    ("docs/cli.md", "E = t x (n_cores x P_core x u_core + n_gpu x P_gpu x u_gpu + mem x 0.3725 W/GB) x PUE"): "formula",
    ("docs/store.md", "byte    format version = 1"): "byte layout (decode_chunk below reads it)",
    ("docs/store.md", "byte    summary version = 1"): "byte layout of chunks.summary",
    ("docs/agent.md", "aimeter: measured by the agent at /run/aimeter/agent.sock"):
        "what a joined `aimeter run` prints (test_agent.py checks its lines against an agent)",
    ("docs/agent.md", "scrape_configs:"):
        "a Prometheus scrape configuration (test_prometheus.py runs a real Prometheus)",
    ("docs/permissions.md", '# aimeter: members of group "power" may read RAPL energy counters'):
        "a udev rule file",
    ("docs/cli.md", "pushed 20261207-083158-a90897: 4 chunks (0 already there)"):
        "what `aimeter push` prints (test_push.py checks these lines on the golden store's runs)",
}

# Output samples (unlabelled blocks that show what a command prints): the command (run on the
# sample store; RUN is its GPU run) and lines of the sample, whitespace-normalised, that its
# real output must have too: the layout is the real one, the numbers are an example.
SAMPLES = {
    ("README.md", "Overall                Value         Method"):
        (["report", "RUN"], ["Overall Value Method", "Component Metric Avg Max Min Mode"]),
    ("docs/cli.md", 'aimeter report  run 20261121-140955-d309a2  "train"  completed (exit 0)'):
        (["report", "RUN"], ["Overall Value Method", "Component Metric Avg Max Min Mode"]),
    ("docs/cli.md", "Correlations: Pearson r over 133 ticks of the 50 ms grid (stored with the run)"):
        (["corr", "RUN"], ["Metric A Metric B r n", "Positive"]),
    ("docs/cli.md", 'aimeter whatif  run 20261121-164636-8b65d7  "train"'):
        (["whatif", "RUN", "--zones", "CA-SK,CA-MB"],
         ["Zone Intensity g/kWh Signal Basis Year Carbon g CO2e vs run",
          "Carbon = Σ energy × intensity(t) × PUE over every sample interval"]),
    ("docs/cli.md", "Alternative            Measured                   TDP W         TFLOPS  Power ×  Time ×  Energy ×  Peak figure"):
        (["whatif", "RUN", "--hardware", "A100,L4", "--zones", "FR,PL"],
         ["Alternative Measured TDP W TFLOPS Power × Time × Energy × Peak figure"]),
    ("docs/cli.md", "Forecast to 'epoch 1'..'epoch 10' (5 to come), 95 % prediction intervals:"):
        (["forecast", "RUN", "--epochs", "10"], []),
}

# For `$ ` commands: output lines (whitespace-normalised) of the doc that must be in the real
# output; the rest of what a doc shows depends on the run or the day.
OUTPUT_LINES = {
    "aimeter whatif --zones FR,FR@2010,PL@marginal,CA-SK@marginal,gcp:europe-west1@2015":
        ["Zone Intensity g/kWh Signal Basis Year Carbon g CO2e vs run"],
    "aimeter whatif --zones FR@2031": ["*"],  # the whole message (an error: exit 65)
    "aimeter compare --by batch": [],
    "aimeter estimate --gpu H100 --count 8 --hours 72 --util 0.7 --pue 1.1 --intensity 100": ["*"],
    "aimeter intensity --provider ukgrid --zone scotland":
        ["zone GB-region-16, average signal, direct basis, g CO2e/kWh", "time (UTC) g CO2e/kWh"],
}

# Exit status a `$ ` command of the docs is shown to have, when not 0.
EXIT = {"aimeter whatif --zones FR@2031": 64}


# ------------------------------------------------------------------ the blocks

class Block:
    def __init__(self, path, line, lang, lines):
        self.path, self.line, self.lang, self.lines = path, line, lang, lines
        self.text = "\n".join(lines) + "\n"
        self.first = next((ln for ln in lines if ln.strip()), "")

    @property
    def key(self):
        return (self.path, self.first)

    def __repr__(self):
        return f"{self.path}:{self.line} ({self.lang or 'unlabelled'})"


def listed(table, b):
    """The key of table that names block b: its file and the start of its first line."""
    return next((k for k in table if k[0] == b.path and b.first.startswith(k[1])), None)


def read_blocks():
    out = []
    for doc in DOCS:
        rel = str(doc.relative_to(REPO))
        lines = doc.read_text().split("\n")
        i = 0
        while i < len(lines):
            m = re.match(r"^```(\S*)\s*$", lines[i])
            if m:
                j = i + 1
                while j < len(lines) and not lines[j].startswith("```"):
                    j += 1
                assert j < len(lines), f"{rel}:{i + 1}: unclosed code block"
                out.append(Block(rel, i + 1, m.group(1), lines[i + 1:j]))
                i = j
            i += 1
    return out


BLOCKS = read_blocks()


def kind(b):
    if listed(NOT_CODE, b):
        return "not code"
    if listed(SAMPLES, b):
        return "sample"
    if b.lang in ("c", "python", "sql", "ini", "yaml"):
        return b.lang
    if b.lang in ("sh", "console") or (b.lang == "" and b.first.startswith("$ ")):
        return "shell"
    if b.lang == "" and b.first.startswith("aimeter "):
        return "synopsis"
    return None


def norm(line):
    return " ".join(line.split())


def test_every_block_is_checked():
    unknown = [b for b in BLOCKS if kind(b) is None]
    assert not unknown, ("code blocks that no test runs or checks (make them runnable, or add "
                         f"them to SAMPLES / NOT_CODE / NOT_RUN in {__file__}): {unknown}")
    # the lists name only blocks that exist
    for table in (NOT_RUN, NOT_CODE, SAMPLES):
        stale = [k for k in table if not any(listed({k: 0}, b) for b in BLOCKS)]
        assert not stale, f"no such block any more: {stale}"


# ------------------------------------------------------------------ the sample store

SAMPLE_WORKLOAD = """
for e in 1 2 3 4 5; do aimeter phase begin "epoch $e"; aimeter record samples 32; sleep 0.05
  aimeter phase end "epoch $e"; done
aimeter phase begin prefill; sleep 0.1; aimeter phase end prefill
aimeter phase begin decode; aimeter record tokens 512; sleep 0.6; aimeter phase end decode
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store with a run on two fake H100s (phases epoch 1..5, prefill, decode; records) and
    two tagged ones; returns (path, the GPU run's id)."""
    d = tmp_path_factory.mktemp("docs-store")
    db = str(d / "aimeter.db")
    env = gpu_env(PATH=f"{AIMETER.parent}:{os.environ['PATH']}")
    r = run_aimeter("run", "-q", "-i", "50ms", "--db", db, "-n", "train", "--tag", "batch=64",
                    "--", "sh", "-c", SAMPLE_WORKLOAD, env=env)
    assert r.returncode == 0, r.stderr
    run_id = ls_json(db)[0]["id"]
    for batch in ("32", "64"):
        r = run_aimeter("run", "-q", "--db", db, "--tag", f"batch={batch}", "--", "true")
        assert r.returncode == 0, r.stderr
    return db, run_id


# ------------------------------------------------------------------ C

C_PRELUDE = """#include <stdio.h>
#include <stdlib.h>
#include <aimeter.h>
static void run_inference(void) {}
static void run_prefill(void) {}
static void decode_one(void) {}
static int n = 3;
/* A session for a block that uses one it does not make (docs/api.md's phases): started,
 * or, when the store cannot be written, not started (the calls must then fail cleanly). */
static aim_session *doc_session(void) {
    aim_config *c;
    aim_session *s = NULL;
    if (aim_config_new(&c) < 0 || aim_session_new(c, &s) < 0)
        exit(90);
    aim_config_free(c);
    if (aim_session_start(s) < 0)
        fprintf(stderr, "doc_session: %s\\n", aim_session_errmsg(s));
    return s;
}
int main(void) {
"""


def c_program(blocks):
    body = []
    for b in blocks:
        own = re.search(r"\baim_session\s*\*\s*s\b", b.text)
        if re.search(r"\bs\b", b.text) and not own:
            body.append("{ aim_session *s = doc_session();\n" + b.text +
                        "aim_session_stop(s, AIM_RUN_COMPLETED, 0);\naim_session_free(s); }\n")
        else:
            body.append(b.text)
    return C_PRELUDE + "".join(f"#line {b.line + 1} \"{b.path}\"\n{t}"
                               for b, t in zip(blocks, body)) + "return 0;\n}\n"


def c_files():
    by_file = {}
    for b in BLOCKS:
        if kind(b) == "c":
            by_file.setdefault(b.path, []).append(b)
    return by_file


@pytest.mark.parametrize("path", sorted(c_files()))
def test_c_blocks_compile_and_run(path, tmp_path):
    src = tmp_path / "doc.c"
    src.write_text(c_program(c_files()[path]))
    exe = tmp_path / "doc"
    san = [f"-fsanitize={sanitizers()}"] if sanitizers() else []  # as the library was built
    cc = subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *san, "-o", str(exe), str(src),
                         f"-I{REPO / 'include'}", f"-L{BUILD / 'src' / 'lib'}", "-laimeter",
                         f"-Wl,-rpath,{BUILD / 'src' / 'lib'}"],
                        capture_output=True, text=True, timeout=120)
    assert cc.returncode == 0, f"{path}: the C blocks do not compile:\n{cc.stderr}"
    env = dict(os.environ, AIMETER_DB=str(tmp_path / "store" / "aimeter.db"))
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, f"{path}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    if path == "docs/api.md":
        # The measured run is in the default store and its JSON report is printed.
        doc = json.loads(r.stdout[r.stdout.index("{"):])
        assert doc["run"]["name"] == "llama-infer"
        # When the store cannot be written the session does not start and the render fails:
        # the example says so and exits normally (it used to print an uninitialised pointer).
        (tmp_path / "a-file").write_text("")
        env["AIMETER_DB"] = str(tmp_path / "a-file" / "aimeter.db")
        bad = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, env=env)
        assert bad.returncode == 0, (bad.returncode, bad.stderr)
        assert "not measured: " in bad.stderr and "no report: " in bad.stderr, bad.stderr


# ------------------------------------------------------------------ Python

PY_PRELUDE = """import sys, time
sys.path.insert(0, {package!r})
import aimeter
def run_inference(): time.sleep(0.1)
def train(*args): time.sleep(0.1)
def step(x, y): return 0.5
n = 128
loader = [([0.0] * 8, [1.0] * 8)] * 2
"""


def py_blocks():
    return [b for b in BLOCKS if kind(b) == "python"]


@pytest.mark.parametrize("block", py_blocks(), ids=repr)
def test_python_blocks_run(block, store, tmp_path):
    compile(block.text, repr(block), "exec")
    if listed(NOT_RUN, block):
        module = re.match(r"from (aimeter\.\w+) import (\w+)", block.first)
        src = (f"import sys\nsys.path.insert(0, {str(REPO / 'python')!r})\n"
               f"import {module.group(1)}\nassert {module.group(2)!r} in {module.group(1)}.__all__\n")
    elif "decode_chunk" in block.text:
        src = block.text + CHUNK_CHECK.format(db=store[0], run=store[1], aimeter=str(AIMETER))
    else:
        src = PY_PRELUDE.format(package=str(REPO / "python")) + block.text
    env = dict(os.environ, AIMETER_DB=str(tmp_path / "py-store.db"), **library_env(),
               **{k: str(v) for k, v in gpu_env().items()})
    r = subprocess.run([PYTHON, "-c", src], capture_output=True, text=True, timeout=120, env=env,
                       cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, f"{block}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"


# docs/store.md's chunk reader, on every chunk of a real run: the times grow, every column has
# a value or None per tick, and the main group's values are those `aimeter export` writes.
CHUNK_CHECK = """
import sqlite3, subprocess, csv, io
con = sqlite3.connect({db!r})
series = con.execute("SELECT grp, resolution, counter FROM series WHERE run_id = ? "
                     "ORDER BY grp, slot", ({run!r},)).fetchall()
times_of = {{}}
for grp, blob, n in con.execute("SELECT grp, data, n_ticks FROM chunks WHERE run_id = ? "
                                "ORDER BY grp, seq", ({run!r},)):
    times, values = decode_chunk(bytes(blob), [(r, c) for g, r, c in series if g == grp])
    assert len(times) == n and times == sorted(times), (grp, n, times)
    assert all(len(v) == n for v in values) and any(x is not None for v in values for x in v)
    times_of.setdefault(grp, []).extend(times)
rows = subprocess.run([{aimeter!r}, "export", {run!r}, "--csv", "-", "--db", {db!r}],
                      capture_output=True, text=True, check=True).stdout
export_t = [float(r["time_s"]) for r in csv.DictReader(io.StringIO(rows))]
main = min(times_of, key=lambda g: -len(times_of[g]))  # the fastest group has most ticks
got = [round(t / 1e9, 6) for t in times_of[main]]
assert len(got) == len(export_t) and all(abs(a - b) < 2e-6 for a, b in zip(got, export_t)), (len(got), len(export_t), [(a, b) for a, b in zip(got, export_t) if abs(a - b) >= 2e-6][:5])
"""


# ------------------------------------------------------------------ SQL

@pytest.mark.parametrize("block", [b for b in BLOCKS if kind(b) == "sql"], ids=repr)
def test_sql_blocks_run(block, store):
    con = sqlite3.connect(f"file:{store[0]}?mode=ro", uri=True)
    try:
        rows = con.execute(block.text.replace("'last'", f"'{store[1]}'")).fetchall()
    except sqlite3.Error as e:
        pytest.fail(f"{block}: {e}\n{block.text}")
    finally:
        con.close()
    assert isinstance(rows, list)


# ------------------------------------------------------------------ credentials (ini)

def test_credentials_block_is_read(tmp_path):
    """docs/providers.md's credentials file, as shown, gives Electricity Maps its key."""
    (b,) = [b for b in BLOCKS if kind(b) == "ini"]
    cred = tmp_path / "config" / "aimeter" / "credentials"
    cred.parent.mkdir(parents=True)
    cred.write_text(b.text)
    cred.chmod(0o600)
    mock = MockProvider("electricitymaps", key=EM_KEY)
    try:
        r = run_aimeter("intensity", "--provider", "electricitymaps", "--zone", "DE", "--no-cache",
                        env={**mock.env, "XDG_CONFIG_HOME": tmp_path / "config",
                             "HOME": tmp_path / "home"})
    finally:
        mock.stop()
    assert r.returncode == 0, r.stderr
    assert mock.requests and mock.requests[0][1]["auth-token"] == EM_KEY


# ------------------------------------------------------------------ web-config (yaml)

def test_web_config_block_serves(tmp_path, db):
    """docs/cli.md's web-config file, as shown, with a certificate of the test's own: https
    with the passwords the docs say its hashes are of."""
    (b,) = [b for b in BLOCKS if kind(b) == "yaml"]
    cert, _ = make_cert(tmp_path)
    (tmp_path / "web-config.yml").write_text(b.text)
    s = Served(tmp_path, db, tmp_path / "web-config.yml", scheme="https")
    try:
        ctx = ssl.create_default_context(cafile=str(cert))
        assert get(s.url, basic("prometheus", "change-me"), context=ctx)[0] == 200
        assert get(s.url, "Bearer a-long-random-token", context=ctx)[0] == 200
        assert get(s.url, basic("prometheus", "change-it"), context=ctx)[0] == 401
        assert s.finish() == 0
    finally:
        s.go.touch()
        kill_tree(s.proc)


# ------------------------------------------------------------------ synopses

def help_text(sub):
    r = run_aimeter(sub, "--help")
    assert r.returncode == 0, f"aimeter {sub} --help: {r.stderr}"
    return r.stdout


def options_of(words):
    return [w.split("=")[0] for w in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", " ".join(words))]


def check_options(line, where):
    """line: one aimeter command or synopsis; its subcommand and options must exist."""
    words = line.split()
    assert words[0] == "aimeter", where
    if len(words) == 1 or words[1] in ("COMMAND",) or words[1].startswith("-"):
        return
    sub = words[1]
    rest = words[2:]
    if "--" in rest:  # what follows is the measured command's
        rest = rest[:rest.index("--")]
    text = help_text(sub)
    for opt in options_of(rest):
        assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text), \
            f"{where}: `aimeter {sub}` has no option {opt}"


@pytest.mark.parametrize("block", [b for b in BLOCKS if kind(b) == "synopsis"], ids=repr)
def test_synopses_name_real_options(block):
    joined, lines = "", []
    for ln in block.lines:  # continuation lines start with spaces
        if ln.startswith("aimeter "):
            if joined:
                lines.append(joined)
            joined = ln
        else:
            joined += " " + ln.strip()
    lines.append(joined)
    for ln in lines:
        check_options(ln, repr(block))


# ------------------------------------------------------------------ shell

STUBS = ["train", "bench", "job", "infer", "prefill", "decode"]


def scratch(tmp_path):
    """A directory with the docs' placeholder programs (exit 0) and a bin/ with `aimeter`
    (this build), `python` and `make` (stubs) first on the PATH."""
    work = tmp_path / "work"
    (work / "bin").mkdir(parents=True)
    for name in STUBS:
        p = work / name
        p.write_text("#!/bin/sh\nexit 0\n")
        p.chmod(0o755)
    for name in ("train.py", "finetune.py"):
        (work / name).write_text("")
    (work / "bin" / "aimeter").symlink_to(AIMETER)
    for name in ("python", "make"):
        p = work / "bin" / name
        p.write_text("#!/bin/sh\nexit 0\n")
        p.chmod(0o755)
    return work


def substitute(cmd, store):
    db, run_id = store
    cmd = re.sub(r"\b\d{8}-\d{2,6}(-[0-9a-f]{6})?\b", run_id, cmd)  # a run id of the docs
    cmd = cmd.replace("[RUN]", "").replace(" RUN", f" {run_id}").replace(" FILE", " out.file")
    return cmd


def shell_commands(block):
    """(command, shown output lines) pairs: `$ ` lines with what follows them, or every
    line of a sh block (continuations joined, comments dropped)."""
    if any(ln.startswith("$ ") for ln in block.lines):
        out, cur = [], None
        for ln in block.lines:
            if ln.startswith("$ "):
                cur = (ln[2:], [])
                out.append(cur)
            elif cur is not None and not cur[1] and cur[0].endswith("\\"):
                cur = (cur[0][:-1].rstrip() + " " + ln.strip(), [])  # a continued command
                out[-1] = cur
            elif cur is not None:
                cur[1].append(ln)
        return out
    cmds, joined = [], ""
    for ln in block.lines:
        ln = re.sub(r"(^|\s)#.*$", "", ln).rstrip()
        if not ln.strip():
            continue
        if joined and (joined.count("'") % 2 == 1):  # inside a quoted string
            joined += "\n" + ln
            continue
        if joined:
            cmds.append((joined, []))
        joined = ln
    if joined:
        cmds.append((joined, []))
    return cmds


@pytest.fixture(scope="module")
def mocks():
    ms = {k: MockProvider(k, key=EM_KEY) for k in ("electricitymaps", "watttime", "ukgrid")}
    yield ms
    for m in ms.values():
        m.stop()


@pytest.mark.parametrize("block", [b for b in BLOCKS if kind(b) == "shell"], ids=repr)
def test_shell_blocks_run(block, store, mocks, tmp_path):
    syntax = subprocess.run(["bash", "-n"], input=block.text if not block.first.startswith("$ ")
                            else "\n".join(c for c, _ in shell_commands(block)),
                            capture_output=True, text=True)
    assert syntax.returncode == 0, f"{block}: {syntax.stderr}"
    if listed(NOT_RUN, block):
        return
    work = scratch(tmp_path)
    env = dict(os.environ, PATH=f"{work / 'bin'}:{work}:{os.environ['PATH']}",
               AIMETER_DB=store[0], ELECTRICITYMAPS_API_KEY=EM_KEY,
               WATTTIME_USERNAME="alice", WATTTIME_PASSWORD="wt-password-42",
               XDG_CACHE_HOME=str(tmp_path / "cache"), HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    for m in mocks.values():
        env.update(m.env)
    for cmd, shown in shell_commands(block):
        for part in re.split(r";\s*(?=aimeter )", cmd):
            if part.startswith("aimeter "):
                check_options(part.split(";")[0], repr(block))
        line = substitute(cmd, store)
        r = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=120,
                           env=env, cwd=work, stdin=subprocess.DEVNULL)
        want = EXIT.get(cmd, 0)
        assert r.returncode == want, f"{block}: `{line}` exited {r.returncode}:\n{r.stderr}"
        check_shown(cmd, shown, r.stdout + r.stderr, repr(block))


def check_shown(cmd, shown, real, where):
    shown = [s for s in shown if s.strip() and s.strip() != "..."]
    if not shown:
        return
    assert cmd in OUTPUT_LINES, f"{where}: `{cmd}` shows output: add it to OUTPUT_LINES"
    real_lines = {norm(ln) for ln in real.splitlines()}
    want = OUTPUT_LINES[cmd]
    if want == ["*"]:
        want = [norm(s) for s in shown]
    for w in want:
        assert w in {norm(s) for s in shown}, f"{where}: OUTPUT_LINES has {w!r}, the doc does not"
        assert w in real_lines, f"{where}: `{cmd}` does not print {w!r}; it printed:\n{real}"


# ------------------------------------------------------------------ output samples

@pytest.mark.parametrize("key", sorted(SAMPLES), ids=lambda k: f"{k[0]}:{k[1][:30]}")
def test_output_samples_match_the_real_layout(key, store):
    (block,) = [b for b in BLOCKS if listed({key: 0}, b)]
    args, lines = SAMPLES[key]
    args = [store[1] if a == "RUN" else a for a in args]
    r = run_aimeter(*args, "--db", store[0])
    assert r.returncode == 0, r.stderr
    real = {norm(ln) for ln in (r.stdout + r.stderr).splitlines()}
    shown = {norm(ln) for ln in block.lines}
    for w in lines:
        assert w in shown, f"{block}: SAMPLES has {w!r}, the doc does not"
        assert w in real, f"{block}: `aimeter {' '.join(args)}` has no line {w!r}:\n{r.stdout}{r.stderr}"
