"""Lesson 01's components: a real API server with its database, its clients, and their model.

Real parts (a server on 127.0.0.1 you can stop and start again):

* :class:`ApiServer` — an HTTP JSON API (``/health``, ``/notes``, ``/orders``) in a thread;
  ``python -m course_lib.components.server`` runs one as its own process;
* :class:`SqliteStore`, :class:`MemoryStore` — where the rows live (or do not survive);
* :class:`ApiClient`, :func:`curl_command`, :func:`run_curl` — two clients for one API;
* :func:`measure_request_path` — where a real request's time goes (client, server, database).

Models (simpy, deterministic for a seed):

* :func:`simulate_server` — one server with ``workers`` as an M/M/c queue, checked against
  :mod:`course_lib.queueing`;
* :class:`PathScenario`, :func:`simulate_path` — client → network → server → cache/database;
* ``render_*`` — the dashboards' views (figure + text), raising ``ValueError`` for bad knobs.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from course_lib.components.backend import BackendProcess
from course_lib.components.client import (
    ApiClient,
    Response,
    blind_retry,
    curl_command,
    run_curl,
    send_raw,
)
from course_lib.components.figures import (
    latency_histogram,
    load_curve_figure,
    render_load_curve,
    render_network,
    render_path,
)
from course_lib.components.httpapi import ApiServer, PortInUseError, make_store
from course_lib.components.model import ServerResult, ServerScenario, batch_means, simulate_server
from course_lib.components.path import PathResult, PathScenario, simulate_path
from course_lib.components.store import (
    RESOURCES,
    MemoryStore,
    SqliteStore,
    new_work_folder,
    validate_item,
)
from course_lib.components.timing import PathTiming, measure_request_path, timing_figure

__all__ = [
    # real system
    "ApiServer",
    "BackendProcess",
    "PortInUseError",
    "make_store",
    "MemoryStore",
    "SqliteStore",
    "RESOURCES",
    "new_work_folder",
    "validate_item",
    # clients
    "ApiClient",
    "Response",
    "blind_retry",
    "curl_command",
    "run_curl",
    "send_raw",
    "PathTiming",
    "measure_request_path",
    "timing_figure",
    # models
    "ServerResult",
    "ServerScenario",
    "batch_means",
    "simulate_server",
    "PathScenario",
    "PathResult",
    "simulate_path",
    # views
    "latency_histogram",
    "load_curve_figure",
    "render_load_curve",
    "render_network",
    "render_path",
]
