"""A minimal reverse proxy for the browser tests: it adds X-Forwarded-For to each connection's first request.

Chromium 150 no longer sends Playwright's extra HTTP headers with the WebSocket handshake, and the dashboard reads
the headers of that handshake (st.context.headers), so a header set in the browser no longer reaches it. A real
proxy adds the header on the server side of the browser, as this one does: the browser connects here, and every
connection (the page, each static file, the WebSocket) is sent on to the dashboard with the header in its first
request. Later requests on a kept-alive connection pass unchanged; the WebSocket is a connection of its own.
"""

from __future__ import annotations

import socket
import threading

_HEADERS_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024


class ForwardingProxy:
    """`with ForwardingProxy("127.0.0.1", port) as url:` serves the dashboard at `port` behind a proxy at `url`."""

    def __init__(self, host: str, port: int, header: bytes = b"X-Forwarded-For: 203.0.113.7"):
        self.target = (host, port)
        self.header = header
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def __enter__(self) -> str:
        threading.Thread(target=self._accept, daemon=True).start()
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def __exit__(self, *exc) -> None:
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                _close(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed by __exit__
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=30)
            upstream.settimeout(None)
        except OSError:
            _close(client)
            return
        with self.lock:
            self.sockets += [client, upstream]
        head = b""
        while _HEADERS_END not in head and len(head) < _MAX_HEAD:
            chunk = client.recv(65536)
            if not chunk:
                break
            head += chunk
        first_line_end = head.find(b"\r\n")
        if first_line_end >= 0:
            head = head[:first_line_end + 2] + self.header + b"\r\n" + head[first_line_end + 2:]
        try:
            upstream.sendall(head)
        except OSError:
            _close(client, upstream)
            return
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        _pump(client, upstream)


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            target.sendall(chunk)
    except OSError:
        pass
    _close(source, target)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        try:
            sock.close()
        except OSError:
            pass
