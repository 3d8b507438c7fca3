"""Lesson 01's components: a real API server with its database, its clients, and their model.

Real parts (a server on 127.0.0.1 you can stop and start again):

* :class:`ApiServer` — an HTTP JSON API (``/health``, ``/notes``, ``/orders``) in a thread;
  ``python -m course_lib.components.runtime.server_main`` runs one as its own process;
* :class:`SqliteStore`, :class:`MemoryStore` — where the rows live (or do not survive);
* :class:`ApiClient`, :func:`curl_command`, :func:`run_curl` — two clients for one API;
* :func:`measure_request_path` — where a real request's time goes (client, server, database).

Models (simpy, deterministic for a seed):

* :func:`simulate_server` — one server with ``workers`` as an M/M/c queue, checked against
  :mod:`course_lib.core.queueing`;
* :class:`PathScenario`, :func:`simulate_path` — client → network → server → cache/database;
* ``render_*`` — the dashboards' views (figure + text), raising ``ValueError`` for bad knobs.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from typing import TYPE_CHECKING

from course_lib.core.lazy import lazy_exports

if TYPE_CHECKING:  # the lesson API, imported on first use (core/lazy.py)
    from course_lib.components.clients.api import (
        ApiClient,
        Response,
        blind_retry,
        curl_command,
        run_curl,
        send_raw,
    )
    from course_lib.components.live.timing import PathTiming, measure_request_path
    from course_lib.components.models.path import PathResult, PathScenario
    from course_lib.components.models.path_engine import simulate_path
    from course_lib.components.models.server import (
        ServerResult,
        ServerScenario,
        batch_means,
        simulate_server,
    )
    from course_lib.components.runtime.backend import BackendProcess
    from course_lib.components.runtime.httpapi import ApiServer, PortInUseError, make_store
    from course_lib.components.runtime.store import (
        RESOURCES,
        MemoryStore,
        SqliteStore,
        new_work_folder,
        validate_item,
    )
    from course_lib.components.views.figures import (
        load_curve_figure,
        render_load_curve,
        render_network,
        render_path,
        response_time_histogram,
    )
    from course_lib.components.views.start import response_time_figure
    from course_lib.components.views.timing import timing_figure

__getattr__, __dir__, __all__ = lazy_exports(__name__)
