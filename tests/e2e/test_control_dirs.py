"""Control directories left by killed runs (issue 11): the next `aimeter run` removes them,
and only them: BASE/aimeter-PID-XXXXXX, a real directory of this user, its PID gone, holding
nothing but a socket `control` on which nobody listens (src/cli/control_dirs.c)."""
import os
import re
import socket
import subprocess

from conftest import run_aimeter


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def make_dir(path, mode=0o700):
    path.mkdir()
    path.chmod(mode)
    return path


def bound_socket(path, listen=False):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    if listen:
        s.listen(1)
        return s
    s.close()  # the file stays; nobody listens any more
    return None


def test_stale_control_directories_are_removed_and_nothing_else(db, tmp_path):
    base = make_dir(tmp_path / "rt")
    dead = dead_pid()
    stale = make_dir(base / f"aimeter-{dead}-Abc123")
    bound_socket(stale / "control")
    empty = make_dir(base / f"aimeter-{dead}-emp333")  # died before its socket existed

    kept = {}
    live = make_dir(base / f"aimeter-{os.getpid()}-abcdef")  # its owner is alive
    bound_socket(live / "control")
    kept["live"] = live
    extra = make_dir(base / f"aimeter-{dead}-xyz789")  # holds something else of the user's
    bound_socket(extra / "control")
    (extra / "notes.txt").write_text("mine\n")
    kept["extra"] = extra
    regular = make_dir(base / f"aimeter-{dead}-reg456")  # `control` is no socket
    (regular / "control").write_text("")
    kept["regular"] = regular
    listening = make_dir(base / f"aimeter-{dead}-lsn000")  # someone still answers on it
    listener = bound_socket(listening / "control", listen=True)
    kept["listening"] = listening
    kept["old"] = make_dir(base / "aimeter-abcdef")  # an older aimeter's name: no PID
    kept["other"] = make_dir(base / f"other-{dead}-abcdef")
    target = make_dir(tmp_path / "elsewhere")
    bound_socket(target / "control")
    link = base / f"aimeter-{dead}-lnk111"
    link.symlink_to(target)
    kept["link"] = link
    if os.geteuid() == 0:  # another user's directory (root can make one)
        theirs = make_dir(base / f"aimeter-{dead}-own222")
        bound_socket(theirs / "control")
        os.chown(theirs / "control", 65534, 65534)
        os.chown(theirs, 65534, 65534)
        kept["theirs"] = theirs
    before = {k: sorted(os.listdir(v)) for k, v in kept.items()}

    try:
        r = run_aimeter("run", "-q", "--sources", "procfs,estimate", "--db", db, "--",
                        "sh", "-c", 'echo "$AIMETER_CONTROL"',
                        env={"XDG_RUNTIME_DIR": str(base)})
    finally:
        listener.close()
    assert r.returncode == 0, r.stderr
    # This run's own directory carries its PID, and went with the run.
    own = r.stdout.strip()
    assert re.fullmatch(re.escape(str(base)) + r"/aimeter-[1-9][0-9]*-[A-Za-z0-9]{6}/control", own), own
    assert not os.path.exists(os.path.dirname(own))

    assert not stale.exists() and not empty.exists()
    for k, v in kept.items():
        assert os.path.lexists(v), k
        assert sorted(os.listdir(v)) == before[k], k
    assert link.is_symlink() and (target / "control").exists()
