"""The client side of the control socket (docs/control.md), and where the sockets of a job's
ranks live.

A ControlClient keeps one connection to a run's socket for the whole process: every message
is one line out and one reply line back ("ok" or "error REASON"). Calls are serialised by a
lock (so replies cannot be mixed up between threads); a broken connection is reopened once
and the line sent again (by the library); a forked child never uses its parent's connection.

Job sockets: in a multi-process job without `aimeter run`, local rank 0's tracker listens on
a socket whose path every rank of the job on the node can compute from the launcher's job
id, so that the other ranks' records reach rank 0's run. Beside it, a small text file gives
rank 0's run id and store, for the other ranks' summaries.

The socket itself is the library's (aim_control_send, aim_control_client: the one client,
shared with `aimeter mark/phase/record`); this module adds the lock, fork safety and the job
sockets' paths. It is loaded only when a control socket is involved.
"""
from __future__ import annotations

import ctypes
import errno
import os
import stat
from _thread import allocate_lock

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing at run time costs milliseconds
    from typing import Dict, Optional, Tuple

from . import _lib

# The library's client (aimeter.h, "the control socket").
_lib.declare({
    "aim_control_send": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p,
                                        ctypes.POINTER(ctypes.c_char), ctypes.c_size_t]),
    "aim_control_client_new": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]),
    "aim_control_client_send": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p,
                                               ctypes.POINTER(ctypes.c_char), ctypes.c_size_t]),
    "aim_control_client_free": (None, [ctypes.c_void_p]),
    "aim_control_client_set_job": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    "aim_job_from_env": (ctypes.c_char_p, []),
    "aim_agent_socket_path": (ctypes.c_int, [ctypes.c_int, ctypes.POINTER(ctypes.c_char),
                                             ctypes.c_size_t]),
})

REPLY_MAX = 4352             # a reply line: "ok RUN_ID STORE_PATH" (the library's bound)


class ControlError(ConnectionError):
    """The run behind a control socket could not be reached (it has ended, or never began)."""


def _reply_line(r: int, buf: "ctypes.Array[ctypes.c_char]") -> Optional[str]:
    """The reply line the run sent, from the library's answer: "ok[ TEXT]" or
    "error REASON"; None when there was none (nobody listens, no answer)."""
    text = buf.value.decode("utf-8", "replace")
    if r == 0:
        return "ok " + text if text else "ok"
    if r == -errno.EBADMSG:
        return "error " + text
    return None


class ControlClient:
    """One persistent connection to a control socket, shared by the threads of a process:
    the library's aim_control_client (which reopens a broken connection once and sends the
    line again), with a lock so that replies cannot be mixed up between threads."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = allocate_lock()
        self._handle: Optional[ctypes.c_void_p] = None
        self._pid = os.getpid()

    def _close(self) -> None:
        if self._handle is not None:
            _lib.lib().aim_control_client_free(self._handle)
        self._handle = None

    def request(self, line: str) -> str:
        """Sends one line (without its newline) and returns the reply line. ControlError when
        the run cannot be reached, even after reconnecting once."""
        data = _lib.encode(line)
        lib = _lib.lib()
        with self._lock:
            if self._pid != os.getpid():
                # A forked child: the inherited connection is the parent's conversation.
                self._close()
                self._pid = os.getpid()
            if self._handle is None:
                h = ctypes.c_void_p()
                r = lib.aim_control_client_new(_lib.encode(self.path), ctypes.byref(h))
                if r < 0:
                    raise ControlError(f"cannot reach the run at {self.path} "
                                       f"({_lib.strerror(r)}): has it ended?")
                self._handle = h
                # The batch job this process is part of: the node's agent keeps the messages
                # under it (docs/agent.md); a run's socket accepts the line and ignores it.
                job = lib.aim_job_from_env()
                if job:
                    lib.aim_control_client_set_job(h, job)
            buf = ctypes.create_string_buffer(REPLY_MAX)
            r = lib.aim_control_client_send(self._handle, data, buf, REPLY_MAX)
            reply = _reply_line(r, buf)
            if reply is None:
                self._close()
                raise ControlError(f"cannot reach the run at {self.path} ({_lib.strerror(r)}): "
                                   "has it ended?")
            return reply

    def close(self) -> None:
        with self._lock:
            self._close()

    def after_fork_in_child(self) -> None:
        self._lock = allocate_lock()
        # The parent's connection: freeing the child's copy closes only the child's
        # descriptor, the parent's conversation goes on.
        self._close()
        self._pid = os.getpid()


_clients_lock = allocate_lock()
_clients: Dict[str, ControlClient] = {}


def client(path: str) -> ControlClient:
    """The process's connection to the socket at path (created on first use)."""
    with _clients_lock:
        c = _clients.get(path)
        if c is None:
            c = _clients[path] = ControlClient(path)
        return c


def _after_fork_in_child() -> None:
    global _clients_lock
    _clients_lock = allocate_lock()
    for c in _clients.values():
        c.after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _ask(path: Optional[str], line: str) -> Optional[str]:
    """One request on a connection of its own (aim_control_send): the reply line, or None."""
    if not path:
        return None
    buf = ctypes.create_string_buffer(REPLY_MAX)
    try:
        r = _lib.lib().aim_control_send(_lib.encode(path), _lib.encode(line), buf, REPLY_MAX)
    except ValueError:
        return None
    return _reply_line(r, buf)


def agent_socket() -> Optional[str]:
    """The node's agent's control socket (`aimeter agent`, docs/agent.md), when one exists:
    $AIMETER_AGENT_SOCKET, /run/aimeter/agent.sock or $XDG_RUNTIME_DIR/aimeter/agent.sock."""
    buf = ctypes.create_string_buffer(108)
    if _lib.lib().aim_agent_socket_path(0, buf, 108) < 0:
        return None
    return buf.value.decode("utf-8", "replace")


def ping(path: Optional[str]) -> bool:
    """Whether a run answers on the socket at path."""
    return _ask(path, "ping") == "ok"


def run_of(path: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """(run id, store path) of the run that the socket at path feeds, or (None, None) (no
    answer, or an aimeter from before the `run` message)."""
    reply = _ask(path, "run")
    if not reply or not reply.startswith("ok "):
        return None, None
    run_id, _, db = reply[3:].partition(" ")
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
