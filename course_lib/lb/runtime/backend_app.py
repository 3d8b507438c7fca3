"""A tiny HTTP backend for the failover lab: ``/`` answers with its name, ``/health`` with 200.

``python -m course_lib.lb.runtime.backend_app --name b1 --port 8101 --service-time 0.005``

Each ``GET /`` takes a service time (exponential with the given mean, seeded, or fixed), like a
backend in ``course_lib.lb.models.simulate``; ``/health`` answers at once, as a real health endpoint
should (it checks that the process is alive and serving, not how busy it is). Standard library
only, so it starts in a few tens of milliseconds.

Lesson 01's API server (``course_lib.components``) runs in the lab too (``app="api"``); this one
is the default because it differs in three ways that matter here: the service-time distribution
follows the scenario, ``/health`` skips the simulated work, and the listen backlog is deep (see
``_Server``), so a busy laptop does not turn a slow accept into refused connections.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog. A hung (SIGSTOPped) server's kernel keeps completing handshakes into
    # it, so health checks still connect and then time out reading; 128 lasts ~4 s at 33 req/s.
    # (http.server's default of 5 also makes a CPU-starved server refuse connections.)
    request_queue_size = 128


def make_handler(name: str, service_time: float, rng: random.Random, service: str):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            if self.path.startswith("/health"):
                self._send({"status": "ok", "backend": name})
                return
            if service_time > 0:
                exponential = service == "exponential"
                time.sleep(rng.expovariate(1.0 / service_time) if exponential else service_time)
            self._send({"backend": name})

        def _send(self, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Backend", name)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet: the load generator records everything
            pass

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--service-time", type=float, default=0.005, help="mean, seconds")
    parser.add_argument("--service", choices=("exponential", "deterministic"),
                        default="exponential", help="service-time distribution")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    handler = make_handler(args.name, args.service_time, random.Random(args.seed), args.service)
    with _Server(("127.0.0.1", args.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
