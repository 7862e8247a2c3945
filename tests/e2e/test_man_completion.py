"""The man pages and the bash and zsh completion that the normal build makes from aimeter's
own --help texts (man/meson.build, tools/gen_man.py, tools/gen_completion.py; issue 17).

- a page for aimeter and for every command `aimeter --help` lists, and no other; each
  renders with no warning from man;
- every option of every `aimeter CMD --help` is in that command's page and its bash and zsh
  completion (found here by a plain reading of the option lines, not by the generators'
  parser: a help text it misreads fails here);
- the bash completion, loaded in `bash -c`, completes a command, an option, an option's
  values, a run's command line and the literal words of a command, with and without
  bash-completion's helpers;
- the zsh completion parses, and completes in a real zsh (a pseudo-terminal) when zsh is
  installed;
- `meson install` puts them where man, bash-completion and zsh look.

A few seconds: the build made the files; the install goes to a temporary DESTDIR.
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
import tty

import pytest

from completion import BASH_COMPLETION, bash_complete
from conftest import AIMETER, BUILD, REPO, make_run, run_aimeter

MAN_DIR = BUILD / "man" / "man1"
BASH = BUILD / "man" / "aimeter"
ZSH = BUILD / "man" / "_aimeter"

sys.path.insert(0, str(REPO / "tools"))
from gen_man_help import Cli  # noqa: E402


@pytest.fixture(scope="module")
def cli():
    assert MAN_DIR.is_dir(), (f"no {MAN_DIR}: the build makes the man pages (man/meson.build, "
                              "subdir('man') in meson.build)")
    return Cli(str(AIMETER))


def listed_commands():
    """The commands of `aimeter --help`, read plainly: the first word of each indented line
    of its Commands: list (and of each `|` alternative)."""
    r = run_aimeter("--help")
    assert r.returncode == 0
    block = r.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    names = []
    for line in block.splitlines():
        if re.match(r"^  \S", line):
            for alt in line.strip().split(" | "):
                word = alt.split()[0]
                if word not in names:
                    names.append(word)
    return names


def help_options(cmd):
    """The options an `aimeter CMD --help` shows on its option lines, and in its usage."""
    r = run_aimeter(cmd, "--help")
    assert r.returncode == 0, r.stderr
    opts = set()
    for line in r.stdout.splitlines():
        if line.startswith(("Usage:", "       aimeter")):
            head = line
        elif re.match(r"^ {1,10}-", line):
            # option lines are indented a little (their continuations, deeper, may name
            # others); their options come before the description's first plain word
            head = []
            for word in re.split(r"(?<=\S)\s{2,}", line.strip(), maxsplit=1)[0].split():
                if re.fullmatch(r"[a-z(][\w(),.;:'-]*", word):
                    break
                head.append(word)
            head = " ".join(head)
        else:
            continue
        opts |= set(re.findall(r"(?<![\w-])(--[a-z][\w-]*|-[a-zA-Z])(?![\w-])", head))
    return opts - {"--"}


def man_text(page):
    r = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", str(page)], capture_output=True,
                       text=True, timeout=60,
                       env=dict(os.environ, MANWIDTH="100", MANPAGER="cat", PAGER="cat"))
    assert r.returncode == 0, r.stderr
    return re.sub(r".\x08", "", r.stdout), r.stderr


def test_a_page_for_aimeter_and_each_command(cli):
    commands = listed_commands()
    assert "run" in commands and "report" in commands
    assert [c.name for c in cli.commands] == commands
    want = {"aimeter.1"} | {f"aimeter-{c}.1" for c in commands}
    assert {p.name for p in MAN_DIR.iterdir()} == want


def test_pages_render_without_warnings(cli):
    for page in sorted(MAN_DIR.iterdir()):
        text, warnings = man_text(page)
        assert not warnings.strip(), f"{page.name}: {warnings}"
        assert re.search(r"^NAME\n\s+aimeter\S* - \S", text, re.M), f"{page.name}:\n{text[:500]}"
        assert "SYNOPSIS" in text and "SEE ALSO" in text, page.name
        assert page.read_bytes().isascii(), f"{page.name}: not ASCII (\\[uXXXX] expected)"


def test_main_page_lists_each_command_with_its_page(cli):
    text, _ = man_text(MAN_DIR / "aimeter.1")
    for c in listed_commands():
        assert re.search(rf"^\s+aimeter {re.escape(c)}\b", text, re.M), c
        assert f"aimeter-{c}(1)" in text, c


def test_every_option_in_its_page_and_its_completion(cli):
    bash, zsh = BASH.read_text(), ZSH.read_text()
    for cmd in listed_commands():
        opts = help_options(cmd)
        text, _ = man_text(MAN_DIR / f"aimeter-{cmd}.1")
        # the bash case of this command: its opts='...'
        m = re.search(rf"^        '{re.escape(cmd)}'\)\n            opts='([^']*)'", bash, re.M)
        assert m, f"no bash case for {cmd}"
        bash_opts = set(m.group(1).split())
        zcase = zsh.split(f"        '{cmd}')\n", 1)[1].split(";;", 1)[0]
        for o in sorted(opts):
            assert re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text), \
                f"{cmd}: {o} not in its page"
            assert o in bash_opts, f"{cmd}: {o} not in the bash completion"
            assert re.search(rf"[)*']{re.escape(o)}[=+\[]", zcase), \
                f"{cmd}: {o} not in the zsh completion"


def test_page_follows_the_help(cli):
    """aimeter-run(1) says what `aimeter run --help` says: its description, each option."""
    text, _ = man_text(MAN_DIR / "aimeter-run.1")
    flat = " ".join(text.split())
    help_ = run_aimeter("run", "--help").stdout
    first = " ".join(help_.split("\n\n")[1].split())  # the description paragraph
    assert first in flat
    assert "-i, --interval DURATION" in flat


# ------------------------------------------------------------------ bash

def complete(line, helpers=True, setup=""):
    """The build's completion for `line`, with the built `aimeter` first on PATH."""
    return bash_complete(BASH, line, helpers, f"PATH={AIMETER.parent}:$PATH\n{setup}")


@pytest.fixture(params=[True, False], ids=["bash-completion", "plain-bash"])
def helpers(request):
    if request.param:
        assert BASH_COMPLETION.is_file(), "bash-completion is not installed (bootstrap.sh does it)"
    return request.param


def test_bash_completes_commands_and_options(cli, helpers):
    assert complete("aimeter rep", helpers) == ["report"]
    assert set(complete("aimeter ", helpers)) == set(listed_commands())
    assert complete("aimeter -", helpers) == ["-h", "--help", "-V", "--version"]
    assert complete("aimeter report --for", helpers) == ["--format"]
    assert sorted(complete("aimeter run --pro", helpers)) == ["--prometheus", "--provider",
                                                              "--provider-region"]


def test_bash_completes_values(cli, helpers, tmp_path):
    formats = {"text", "json", "markdown", "html"}
    assert set(complete("aimeter report --format ", helpers)) == formats
    assert complete("aimeter report -f m", helpers) == ["markdown"]
    assert complete("aimeter ls --format=j", helpers) == ["json"]
    assert complete("aimeter phase ", helpers) == ["begin", "end"]
    (tmp_path / "trace-a.csv").write_text("")
    assert complete(f"aimeter export --csv {tmp_path}/tra", helpers) == [f"{tmp_path}/trace-a.csv"]
    # a RUN: 'last', and the run ids of the store the line names (aimeter ls -q)
    assert "last" in complete("aimeter report ", helpers)
    db = tmp_path / "runs.db"
    run_id = make_run(str(db), "true")
    assert set(complete(f"aimeter report --db {db} ", helpers)) == {"last", run_id}
    assert complete(f"aimeter compare --db={db} --baseline {run_id[:4]}", helpers) == [run_id]


def test_bash_completes_the_measured_command(cli, helpers, tmp_path):
    assert "printf" in complete("aimeter run -- printf", helpers)
    assert "printf" in complete("aimeter run -i 10ms -n x print", helpers)
    # past the command: its own completion (files, here)
    (tmp_path / "data.txt").write_text("")
    assert complete(f"aimeter run -- cat {tmp_path}/da", helpers) == [f"{tmp_path}/data.txt"]


# ------------------------------------------------------------------ zsh

def zsh_or_skip():
    zsh = shutil.which("zsh")
    if not zsh:
        pytest.skip("zsh is not installed (the zsh completion is then only generated)")
    return zsh


def test_zsh_completion_parses(cli):
    text = ZSH.read_text()
    assert text.startswith("#compdef aimeter\n")
    r = subprocess.run([zsh_or_skip(), "-n", str(ZSH)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


# An interactive zsh with the generated _aimeter on its fpath; each match the completion
# functions add is also printed, "MATCH:word", on the terminal (calls that only ask for the
# matches, -O/-A/-D, are passed through).
ZSHRC = r"""
fpath=({dir} $fpath)
autoload -Uz compinit && compinit -u -d {dir}/.zcompdump
PROMPT='READY%% '
PATH={bin}:$PATH
compadd() {{
  if (( ${{@[(I)-[OAD]*]}} )); then builtin compadd "$@"; return; fi
  local -a hits
  builtin compadd -O hits "$@"
  (( $#hits )) && print -rl -- "" "${{(@)hits/#/MATCH:}}" >/dev/tty
  builtin compadd "$@"
}}
"""


def zsh_complete(zsh, home, line):
    """The matches zsh's completion system offers for `line` at its end, in an interactive
    zsh on a pseudo-terminal (the compadd calls of the completion functions, printed)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: an interactive zsh with our .zshrc
        # The terminal raw from the start: keys that arrive before zle reads them stay as
        # they are (a cooked terminal would take ^U itself and drop the line).
        tty.setraw(0)
        os.environ.update(ZDOTDIR=str(home), TERM="dumb", HOME=str(home))
        os.execv(zsh, [zsh, "-i"])
    out = b""

    def read_until(mark):
        nonlocal out
        deadline = time.monotonic() + 30  # a bound for a zsh that hangs, not a timing
        while mark not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                out += chunk

    try:
        # The prompt first; then the line and a Tab; then ^E ^U (end of line, kill it) and
        # a command whose output says zle is past the completion.
        read_until(b"READY% ")
        os.write(fd, line.encode() + b"\t\x05\x15print DONE-$((6*7))\n")
        read_until(b"DONE-42")
        os.write(fd, b"exit\n")
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    text = out.decode(errors="replace").replace("\r", "")
    return sorted(set(re.findall(r"^MATCH:(\S+)$", text, re.M)))


@pytest.fixture(scope="module")
def zsh_home(tmp_path_factory):
    zsh = zsh_or_skip()
    home = tmp_path_factory.mktemp("zsh")
    shutil.copy(ZSH, home / "_aimeter")
    (home / ".zshrc").write_text(ZSHRC.format(dir=home, bin=AIMETER.parent))
    return zsh, home


def test_zsh_completes_commands_options_and_values(cli, zsh_home):
    zsh, home = zsh_home
    assert "report" in zsh_complete(zsh, home, "aimeter rep")
    assert "--format" in zsh_complete(zsh, home, "aimeter report --fo")
    formats = {"text", "json", "markdown", "html"}
    assert formats <= set(zsh_complete(zsh, home, "aimeter report --format "))
    assert {"begin", "end"} <= set(zsh_complete(zsh, home, "aimeter phase "))


# ------------------------------------------------------------------ meson install

def test_meson_install_puts_them_where_they_are_read(cli, tmp_path):
    dest = tmp_path / "dest"
    r = subprocess.run(["meson", "install", "-C", str(BUILD), "--no-rebuild", "--quiet",
                        "--destdir", str(dest)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    files = {str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()}

    def one(pattern):
        hits = [f for f in files if re.search(pattern, f)]
        assert len(hits) == 1, f"{pattern}: {hits}"
        return dest / hits[0]

    one(r"share/man/man1/aimeter\.1$")
    one(r"share/man/man1/aimeter-run\.1$")
    assert len([f for f in files if "/man1/" in f]) == len(listed_commands()) + 1
    assert one(r"share/bash-completion/completions/aimeter$").read_text() == BASH.read_text()
    assert one(r"share/zsh/site-functions/_aimeter$").read_text() == ZSH.read_text()


def test_generated_pages_are_reproducible(tmp_path):
    """SOURCE_DATE_EPOCH dates the pages (Debian sets it from the changelog); two runs give
    the same bytes."""
    out = []
    for n in (1, 2):
        d = tmp_path / f"man{n}"
        r = subprocess.run([sys.executable, str(REPO / "tools" / "gen_man.py"), "--aimeter",
                            str(AIMETER), "--outdir", str(d)], capture_output=True, text=True,
                           timeout=120, env=dict(os.environ, SOURCE_DATE_EPOCH="86400"))
        assert r.returncode == 0, r.stderr
        out.append({p.name: p.read_bytes() for p in d.iterdir()})
    assert out[0] == out[1]
    assert b'.TH AIMETER 1 "1970-01-02"' in out[0]["aimeter.1"]
