"""A TCP listener on 127.0.0.1 that accepts connections and says nothing (a server host that
never answers: libpq waits for its first bytes until connect_timeout, for ever with
connect_timeout=0), and on demand turns into a proxy to a real PostgreSQL server's Unix
socket, the connections it held included (what their clients sent meanwhile is passed on
first). tests/e2e/test_spool.py: the start of `aimeter run` does not wait on such a host.

Events, not durations: `accepted` counts the connections taken, `client_closed` those whose
client closed them while they were held; a test reads them at points it knows (the measured
command has started), never as a timing.

    with HeldServer() as held:
        url = held.url("aimeter", "t1")      # postgresql://aimeter@127.0.0.1:PORT/t1?...
        ...
        held.proxy_to(socket_path)           # from now on, a transparent proxy
"""
import os
import select
import socket
import threading


def unix_socket_of(url):
    """The socket file of a pg_tmp.sh URL (postgresql://aimeter@/NAME?host=DIR): DIR's
    .s.PGSQL.5432."""
    host = url.split("host=", 1)[1].split("&", 1)[0]
    return os.path.join(host, ".s.PGSQL.5432")


class HeldServer:
    def __init__(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        self._target = None  # a Unix socket path once proxying
        self._closing = False
        # Pipes that wake every thread waiting on them (level-triggered: never read): the
        # proxy turned on (the held connections' threads), the end (all of them).
        self._proxy_r, self._proxy_w = os.pipe()
        self._close_r, self._close_w = os.pipe()
        self.accepted = 0
        self.client_closed = 0
        self.proxied = 0
        self._threads = []
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepter.start()

    def url(self, user, dbname, extra="connect_timeout=0"):
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}?{extra}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def counts(self):
        with self._lock:
            return self.accepted, self.client_closed, self.proxied

    def proxy_to(self, path):
        """From now on every connection, those held included, is passed to the Unix socket
        at path."""
        with self._lock:
            self._target = path
        os.write(self._proxy_w, b"x")

    def close(self):
        with self._lock:
            self._closing = True
        os.write(self._close_w, b"x")
        self._accepter.join(timeout=30)
        for t in list(self._threads):
            t.join(timeout=30)
        self._sock.close()
        for fd in (self._proxy_r, self._proxy_w, self._close_r, self._close_w):
            os.close(fd)

    def _state(self):
        with self._lock:
            return self._closing, self._target

    def _accept_loop(self):
        while True:
            readable, _, _ = select.select([self._sock, self._close_r], [], [])
            closing, _ = self._state()
            if closing:
                return
            if self._sock in readable:
                conn, _ = self._sock.accept()
                with self._lock:
                    self.accepted += 1
                t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                self._threads.append(t)
                t.start()

    def _serve(self, conn):
        """Holds conn (reading what the client sends) until the proxy is on, then pumps."""
        held = b""
        try:
            while True:
                closing, target = self._state()
                if closing:
                    return
                if target:
                    break
                readable, _, _ = select.select([conn, self._proxy_r, self._close_r], [], [])
                if conn in readable:
                    data = conn.recv(65536)
                    if not data:
                        with self._lock:
                            self.client_closed += 1
                        return
                    held += data
            up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                up.connect(target)
                with self._lock:
                    self.proxied += 1
                up.sendall(held)
                self._pump(conn, up)
            finally:
                up.close()
        finally:
            conn.close()

    def _pump(self, a, b):
        peer = {a: b, b: a}
        while True:
            readable, _, _ = select.select([a, b, self._close_r], [], [])
            if self._state()[0]:
                return
            for s in (a, b):
                if s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    peer[s].sendall(data)
