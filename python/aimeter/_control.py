"""The client side of the control socket (docs/control.md), and where the sockets of a job's
ranks live.

A ControlClient keeps one connection to a run's socket for the whole process: every message
is one line out and one reply line back ("ok" or "error REASON"). Calls are serialised by a
lock (so replies cannot be mixed up between threads); a broken connection is reopened once
and the line sent again; a forked child never uses its parent's connection.

Job sockets: in a multi-process job without `aimeter run`, local rank 0's tracker listens on
a socket whose path every rank of the job on the node can compute from the launcher's job
id, so that the other ranks' records reach rank 0's run. Beside it, a small text file gives
rank 0's run id and store, for the other ranks' summaries.

This module imports `socket`; it is loaded only when a control socket is involved, so that a
plain `import aimeter; monitor.start()` stays cheap.
"""
import os
import socket
import stat
from _thread import allocate_lock

REPLY_TIMEOUT_S = 5.0        # the run answers at once; this covers a machine under load
LINE_MAX = 511               # bytes before the newline


class ControlError(ConnectionError):
    """The run behind a control socket could not be reached (it has ended, or never began)."""


class ControlClient:
    """One persistent connection to a control socket, shared by the threads of a process."""

    def __init__(self, path):
        self.path = path
        self._lock = allocate_lock()
        self._sock = None
        self._pid = os.getpid()
        self._buf = b""

    def _close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._buf = b""

    def _connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(REPLY_TIMEOUT_S)
            s.connect(self.path)
        except BaseException:
            s.close()
            raise
        self._sock = s
        self._buf = b""

    def _exchange(self, data):
        self._sock.sendall(data)
        while b"\n" not in self._buf:
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionResetError("the run closed the connection")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line.decode("utf-8", "replace").rstrip("\r")

    def request(self, line):
        """Sends one line (without its newline) and returns the reply line. ControlError when
        the run cannot be reached, even after reconnecting once."""
        data = line.encode("utf-8") + b"\n"
        with self._lock:
            if self._pid != os.getpid():
                # A forked child: the inherited socket is the parent's conversation.
                self._close()
                self._pid = os.getpid()
            for attempt in (0, 1):
                try:
                    if self._sock is None:
                        self._connect()
                    return self._exchange(data)
                except OSError as e:
                    self._close()
                    if attempt == 1 or isinstance(e, (FileNotFoundError, ConnectionRefusedError,
                                                      socket.timeout)):
                        # Nobody listens (no point in a second try), or it did not answer.
                        raise ControlError(f"cannot reach the run at {self.path} ({e}): has it "
                                           "ended?") from None
        raise AssertionError("unreachable")

    def close(self):
        with self._lock:
            self._close()

    def after_fork_in_child(self):
        self._lock = allocate_lock()
        # Forget the parent's socket without closing it from here: closing our copy of the
        # descriptor would not disturb the parent, but keep it simple and explicit.
        self._close()
        self._pid = os.getpid()


_clients_lock = allocate_lock()
_clients = {}


def client(path):
    """The process's connection to the socket at path (created on first use)."""
    with _clients_lock:
        c = _clients.get(path)
        if c is None:
            c = _clients[path] = ControlClient(path)
        return c


def _after_fork_in_child():
    global _clients_lock
    _clients_lock = allocate_lock()
    for c in _clients.values():
        c.after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _ask(path, line):
    """One request on a fresh connection (closed after): the reply line, or None."""
    if not path:
        return None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(REPLY_TIMEOUT_S)
        s.connect(path)
        s.sendall(line)
        buf = b""
        while b"\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                return None
            buf += chunk
        return buf.split(b"\n", 1)[0].rstrip(b"\r")
    except OSError:
        return None
    finally:
        s.close()


def ping(path):
    """Whether a run answers on the socket at path."""
    return _ask(path, b"ping\n") == b"ok"


def run_of(path):
    """(run id, store path) of the run that the socket at path feeds, or (None, None) (no
    answer, or an aimeter from before the `run` message)."""
    reply = _ask(path, b"run\n")
    if not reply or not reply.startswith(b"ok "):
        return None, None
    run_id, _, db = reply[3:].decode("utf-8", "replace").partition(" ")
    return (run_id or None), (db or None)


# ---------------------------------------------------------------- job sockets

def job_key(env=None):
    """What tells this job apart from any other on the node, the same in every rank: the
    launcher's job id, else the parent process (torchrun's agent, slurmstepd, the MPI
    daemon: every local rank of one job has the same one). AIMETER_JOB_ID overrides."""
    env = os.environ if env is None else env
    if env.get("AIMETER_JOB_ID"):
        return "aimeter:" + env["AIMETER_JOB_ID"]
    if env.get("SLURM_JOB_ID"):
        return f"slurm:{env['SLURM_JOB_ID']}.{env.get('SLURM_STEP_ID', '')}"
    run_id = env.get("TORCHELASTIC_RUN_ID", "")
    if run_id and run_id != "none":   # torchrun's default --rdzv-id is the word "none"
        return "torchelastic:" + run_id
    for var in ("PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid"):
        if env.get(var):
            return f"{var}:{env[var]}"
    return f"ppid:{os.getppid()}"


def _fnv1a64(text):
    h = 0xcbf29ce484222325
    for b in text.encode("utf-8", "surrogateescape"):
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return f"{h:016x}"


def _private_dir(path, create):
    """path if it is a directory of ours that nobody else can enter (created 0700 if asked),
    else None."""
    if create:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return None
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return path


def job_paths(env=None):
    """(socket path, run-info path) of this job's rank-0 socket on this node, or None when no
    private directory is available. $XDG_RUNTIME_DIR (per user, 0700) when it is usable, else
    /tmp/aimeter-UID (created 0700)."""
    env = os.environ if env is None else env
    name = "aimeter-job-" + _fnv1a64(job_key(env))
    candidates = []
    xdg = env.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg):
        candidates.append((xdg, False))
    candidates.append((f"/tmp/aimeter-{os.getuid()}", True))
    for base, create in candidates:
        sock = os.path.join(base, name + ".sock")
        if len(os.fsencode(sock)) > 107:          # sun_path holds 108 bytes with its NUL
            continue
        if _private_dir(base, create) is None:
            continue
        return sock, os.path.join(base, name + ".run")
    return None


def claim_job_socket(sock):
    """Prepares sock for rank 0's tracker to listen on: True when it is free (a stale file left
    by a killed process is removed), False when a live run of this job already listens."""
    try:
        st = os.lstat(sock)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if ping(sock):
        return False  # another tracker of this job (an outer one in this process) exports it
    if stat.S_ISSOCK(st.st_mode) and st.st_uid == os.getuid():
        try:
            os.unlink(sock)
            return True
        except OSError:
            return False
    return False


def publish_run(info_path, run_id, db):
    """Writes rank 0's run id and store beside the job socket (atomically)."""
    tmp = f"{info_path}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"{run_id}\n{db}\n")
        os.replace(tmp, info_path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


def read_run(info_path):
    """(run id, store) that rank 0 published, or (None, None)."""
    try:
        with open(info_path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, ValueError):
        return None, None
    if len(lines) < 2 or not lines[0]:
        return None, None
    return lines[0], lines[1] or None


def unpublish_run(info_path, run_id):
    """Removes the run-info file if it is still ours."""
    if read_run(info_path)[0] == run_id:
        try:
            os.unlink(info_path)
        except OSError:
            pass
