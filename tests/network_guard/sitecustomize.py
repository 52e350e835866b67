"""Test-only: a Python process started with this folder on PYTHONPATH cannot leave loopback.

Python imports ``sitecustomize`` at start-up, before any other module, so the
patched functions below are the ones every library (requests, urllib3,
Twisted, asyncio) and every child process that inherits PYTHONPATH gets.
Resolving a name other than localhost, or connecting an IPv4/IPv6 socket to
an address outside 127.0.0.0/8 and ::1, raises ``OSError(ENETUNREACH)`` and
appends one line ``<pid> <what> <host>`` to the file named by
``NETWORK_GUARD_LOG``, so a test can assert that nothing tried.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from typing import Any

_LOG = os.environ.get("NETWORK_GUARD_LOG")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: Any) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): a local wildcard address, used to bind
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _is_address(host: Any) -> bool:
    """An IP literal: resolving it asks no name server; connecting to it is checked instead."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _refuse(what: str, host: Any) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {what} {host}\n")
    raise OSError(errno.ENETUNREACH, f"network guard: {what} {host} refused (only loopback is allowed)")


_getaddrinfo = socket.getaddrinfo
_gethostbyname = socket.gethostbyname
_gethostbyname_ex = socket.gethostbyname_ex
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not (_is_loopback(host) or _is_address(host)):
        _refuse("resolve", host)
    return _getaddrinfo(host, *args, **kwargs)


def gethostbyname(host: str) -> str:
    if not _is_loopback(host):
        _refuse("resolve", host)
    return _gethostbyname(host)


def gethostbyname_ex(host: str) -> Any:
    if not _is_loopback(host):
        _refuse("resolve", host)
    return _gethostbyname_ex(host)


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        _refuse("connect", address[0])


def connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    return _connect(self, address)


def connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _connect_ex(self, address)


socket.getaddrinfo = getaddrinfo
socket.gethostbyname = gethostbyname
socket.gethostbyname_ex = gethostbyname_ex
socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
