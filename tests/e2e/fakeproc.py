"""A procfs root (AIMETER_PROCFS_ROOT) whose counters advance at stated rates of real time, so
that the tests of CPU use, attribution and correlation see the numbers they set and never
the machine's own load (a busy CI machine slowed a real spinning workload to a third).

The process that measures itself with the Python package (aimeter.track: the target is its own
pid, known before the run starts) writes the tree: the host's `stat` (N CPUs; each CPU busy a
given fraction), `meminfo`, `cpuinfo`, and `<pid>/stat` with its CPU time (ticks advancing at a
given number of cores) and resident memory, every couple of milliseconds from a loop, the
counters computed from the monotonic clock at each write. What aimeter reads is therefore the
stated rate to within one write period and, for the tree, one tick (10 ms of CPU time), whatever the
scheduler does to either process (its writes are driven by a thread: FakeProc.driving()).

Files are replaced by rename, so a reader never sees half a file: the procfs source keeps
`stat` and `meminfo` open and reads them with pread, so the old file is also emptied after the
rename, which makes the source reopen it by path (src/lib/sources/procfs.c, read_file()).

Used from a child /usr/bin/python3 (see script()), never by the pytest process itself.
"""
import contextlib
import os
import threading
import time

USER_HZ = 100      # the tree's CPU time: proctree turns ticks into seconds with CLK_TCK
HOST_HZ = 100000   # the host's: only their ratio (busy share) is read, so a fine grain
PAGE = os.sysconf("SC_PAGESIZE")
MEM_TOTAL_KIB = 16 << 20  # 16 GiB
MEM_AVAILABLE_KIB = 12 << 20
CHILD_PID0 = 3000000  # fake children's pids: not the host's, the tree is all fake


class FakeProc:
    """root: an empty directory. cpus: logical CPUs of the fake host. pid: the measured
    process (its ancestors are not written: the tree is the target and the children set())."""

    def __init__(self, root, cpus=2, pid=None):
        self.root = str(root)
        self.cpus = cpus
        self.pid = pid or os.getpid()
        self.t0 = time.monotonic()
        self.last = 0.0
        self.busy = [0.0] * cpus   # ticks, accumulated from the rates in force
        self.idle = [0.0] * cpus
        self.tree = 0.0
        self.rss = 0
        self.host_busy = 0.0       # CPUs busy (0..cpus), spread evenly
        self.tree_cores = 0.0      # cores the tree uses
        self.lock = threading.Lock()
        self.child_pids = []
        os.makedirs(os.path.join(self.root, str(self.pid), "task", str(self.pid)), exist_ok=True)
        with open(os.path.join(self.root, "cpuinfo"), "w") as f:
            for i in range(cpus):
                f.write(f"processor\t: {i}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
                        f"model\t\t: 143\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n\n")
        self._meminfo(MEM_TOTAL_KIB - MEM_AVAILABLE_KIB)
        self._replace(os.path.join(self.root, str(self.pid), "task", str(self.pid), "children"), "")
        self.update()

    def set(self, host_busy=None, tree_cores=None, rss_bytes=None, children=None,
            mem_used_bytes=None):
        """New rates from now on (the counters so far are kept); any thread. children: the
        resident bytes of each child process the tree has from now on (they use no CPU).
        mem_used_bytes: the host's memory in use (4 GiB at first)."""
        with self.lock:
            self._update()
            self._set(host_busy, tree_cores, rss_bytes)
            if children is not None:
                self._children(children)
            if mem_used_bytes is not None:
                self._meminfo(mem_used_bytes >> 10)
            self._update()

    def _meminfo(self, used_kib):
        self._replace(os.path.join(self.root, "meminfo"),
                      f"MemTotal:       {MEM_TOTAL_KIB} kB\nMemFree:         1048576 kB\n"
                      f"MemAvailable:   {MEM_TOTAL_KIB - used_kib} kB\n"
                      "Buffers:          524288 kB\nCached:          9961472 kB\n", empty_old=True)

    def _children(self, rss):
        """Children are written before the list that names them, and the list before they
        are removed, so a walk of the tree sees each child whole or not at all."""
        pids = [CHILD_PID0 + i for i in range(len(rss))]
        for pid, size in zip(pids, rss):
            self._replace(os.path.join(self.root, str(pid), "stat"),
                          self._stat_line(pid, self.pid, "child", 0, size // PAGE))
        self._replace(os.path.join(self.root, str(self.pid), "task", str(self.pid), "children"),
                      "".join(f"{pid} " for pid in pids))
        for pid in self.child_pids[len(pids):]:
            os.unlink(os.path.join(self.root, str(pid), "stat"))  # exited
        self.child_pids = pids

    def _set(self, host_busy, tree_cores, rss_bytes):
        if host_busy is not None:
            self.host_busy = host_busy
        if tree_cores is not None:
            self.tree_cores = tree_cores
        if rss_bytes is not None:
            self.rss = rss_bytes // PAGE

    def update(self):
        """Advances every counter to now at the rates in force and writes the files."""
        with self.lock:
            self._update()

    def _update(self):
        now = time.monotonic() - self.t0
        dt, self.last = now - self.last, now
        share = self.host_busy / self.cpus
        for i in range(self.cpus):
            self.busy[i] += share * HOST_HZ * dt
            self.idle[i] += (1 - share) * HOST_HZ * dt
        self.tree += self.tree_cores * USER_HZ * dt
        self._write()

    def driving(self, period=0.002):
        """A context in which a thread keeps the counters moving (every `period` s), from
        before the run starts to after it stops: the sampler never reads a frozen counter
        while the library starts or stops (ctypes calls release the GIL)."""
        @contextlib.contextmanager
        def ctx():
            done = threading.Event()

            def loop():
                while not done.wait(period):
                    self.update()

            th = threading.Thread(target=loop, daemon=True)
            th.start()
            try:
                yield self
            finally:
                done.set()
                th.join()
        return ctx()

    def _write(self):
        busy, idle = [int(b) for b in self.busy], [int(i) for i in self.idle]
        lines = [f"cpu  {sum(busy)} 0 0 {sum(idle)} 0 0 0 0 0 0"]
        lines += [f"cpu{i} {busy[i]} 0 0 {idle[i]} 0 0 0 0 0 0" for i in range(self.cpus)]
        lines += ["intr 0", "ctxt 0", "btime 1700000000", "processes 1", "procs_running 1",
                  "procs_blocked 0"]
        self._replace(os.path.join(self.root, "stat"), "\n".join(lines) + "\n", empty_old=True)
        self._replace(os.path.join(self.root, str(self.pid), "stat"),
                      self._stat_line(self.pid, 1, "workload", int(self.tree), self.rss))

    @staticmethod
    def _stat_line(pid, ppid, comm, ticks, rss_pages):
        """/proc/<pid>/stat: CPU time in utime (field 14), start time 5000 ticks (field 22),
        resident pages (field 24)."""
        return (f"{pid} ({comm}) R {ppid} {pid} {pid} 0 -1 4194560 0 0 0 0 {ticks} 0 0 0 "
                f"20 0 1 0 5000 {rss_pages * PAGE} {rss_pages} "
                "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n")

    @staticmethod
    def _replace(path, text, empty_old=False):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        old = None
        if empty_old:
            try:
                old = os.open(path, os.O_WRONLY)
            except FileNotFoundError:
                pass
        os.replace(tmp, path)
        if old is not None:
            os.ftruncate(old, 0)  # a reader holding the old file reopens the new one
            os.close(old)


def script(package_dir, body):
    """Python source of a child that imports aimeter and this module, then runs body (which
    may use FakeProc, aimeter, os, time)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return (f"import os, sys, time\nsys.path[:0] = [{str(package_dir)!r}, {here!r}]\n"
            "import aimeter\nfrom fakeproc import FakeProc\n" + body)


def sanitizers():
    """The build's -Db_sanitize value ("address,undefined"), or None."""
    import json

    from conftest import BUILD
    try:
        opts = json.loads((BUILD / "meson-info" / "intro-buildoptions.json").read_text())
    except OSError:
        return None
    value = next((o["value"] for o in opts if o["name"] == "b_sanitize"), "none")
    return None if value in ("none", "") else value


def library_env():
    """What a /usr/bin/python3 (not built with the sanitizers) needs to load this build's
    libaimeter: under ASan, the runtime preloaded, and leak checks off (the interpreter's own
    allocations are not the library's)."""
    import subprocess

    from conftest import BUILD
    env = {"AIMETER_LIBRARY": str(BUILD / "src" / "lib" / "libaimeter.so.0")}
    san = sanitizers()
    if san and "address" in san:
        runtime = subprocess.run(["cc", "-print-file-name=libasan.so"], capture_output=True,
                                 text=True).stdout.strip()
        env["LD_PRELOAD"] = runtime
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    return env


def run_tracked(tmp_path, body, env=None, timeout=60):
    """Runs script(body) in /usr/bin/python3 over this build's libaimeter with the fake procfs
    root tmp_path/proc (the body makes its FakeProc there: ROOT). Returns the CompletedProcess."""
    import subprocess

    from conftest import PYTHON, REPO
    root = tmp_path / "proc"
    root.mkdir(exist_ok=True)
    full = dict(os.environ)
    full.update(library_env())
    full["AIMETER_PROCFS_ROOT"] = str(root)
    full.update({k: str(v) for k, v in (env or {}).items()})
    src = script(REPO / "python", f"ROOT = {str(root)!r}\n" + body)
    return subprocess.run([PYTHON, "-c", src], capture_output=True, text=True, timeout=timeout,
                          env=full, stdin=subprocess.DEVNULL)
