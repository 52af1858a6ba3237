"""The listening socket a server is handed (the CLI's serve and the pytest plugin's server)."""

from __future__ import annotations

import socket


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening, so the real port is known before the server starts (port 0 picks one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it. Without it each small answer waits ~40 ms for the
        # client's delayed ACK (Nagle): uvicorn sets it only on sockets it opens itself.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock
