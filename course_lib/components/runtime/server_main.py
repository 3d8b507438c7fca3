"""Run one API backend in the foreground: ``python -m course_lib.components.runtime.server_main``.

    python -m course_lib.components.runtime.server_main --port 8081 --db /tmp/a.db --name backend-a
    python -m course_lib.components.runtime.server_main --port 8082 --memory --name backend-b
    --delay 0.01

Options: ``--port N`` (0 = pick a free port; the chosen one is printed), ``--db PATH`` (SQLite
file, created if missing) or ``--memory`` (rows die with the process), ``--name NAME`` (shown in
every response's ``"server"`` field and ``X-Server`` header), ``--delay SECONDS`` (simulated work
per request). It prints one line ``listening on http://127.0.0.1:PORT as NAME`` once the socket is
bound (so a parent can wait for it), then serves until SIGTERM or Ctrl-C and exits 0. A port
already in use prints a one-line error and exits 2. Endpoints: see
:mod:`course_lib.components.runtime.httpapi` (``GET /health``, ``GET/POST /notes``,
``GET /notes/<id>``, the same for ``/orders``).

:class:`~course_lib.components.runtime.backend.BackendProcess` starts such a backend from Python.
The server itself is :class:`~.httpapi.ApiServer`; this module only parses arguments (and is not
imported by the package, so that ``python -m`` runs it cleanly).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys

from course_lib.components.runtime.httpapi import ApiServer, PortInUseError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one course API backend on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = a free one)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="SQLite file to keep the data in")
    where.add_argument("--memory", action="store_true", help="keep data in memory only")
    parser.add_argument("--name", default="api", help="backend name shown in every response")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds of simulated work added to every request")
    args = parser.parse_args(argv)
    try:
        server = ApiServer(None if args.memory else args.db, port=args.port, name=args.name,
                           delay_time=args.delay)
        server.bind()
    except (PortInUseError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def _stop(_signum, _frame):  # SIGTERM behaves like Ctrl-C: finish cleanly
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(f"listening on {server.url} as {args.name}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
