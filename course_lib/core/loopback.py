"""Loopback ports, and children that never outlive the course's Python process.

Everything the course starts (the embedded broker, HAProxy, backend processes, servers) listens
on 127.0.0.1 on a port picked free at run time, and must die with the kernel or test run that
started it — also when that parent is killed, so that no ``atexit`` handler runs. On Linux the
child asks the kernel for ``SIGKILL`` when its parent dies (``PR_SET_PDEATHSIG``), from between
``fork`` and ``exec`` (a ``preexec_fn``).
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket

LOOPBACK = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """True when ``port`` on 127.0.0.1 can be bound (no listener, nothing left behind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def die_with_parent() -> None:
    """In a child between fork and exec: ask for SIGKILL when the parent dies (Linux only)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
