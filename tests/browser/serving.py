"""Serve an ASGI app with uvicorn on a free loopback port, in a daemon thread, for browser tests and benches."""

from __future__ import annotations

import socket
import threading
import time


def serve_in_thread(app, lifespan: str = "on", timeout: float = 20.0) -> tuple[str, object, threading.Thread]:
    """Start `app`; returns (base URL, uvicorn server, thread). Stop with server.should_exit = True."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread
