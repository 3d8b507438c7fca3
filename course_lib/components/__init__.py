"""Lesson 01's components: a real API server with its database, its clients, and their model.

Real parts (a server on 127.0.0.1 you can stop and start again):

* :class:`ApiServer` — an HTTP JSON API (``/health``, ``/notes``, ``/orders``) in a thread;
  ``python -m course_lib.components.server`` runs one as its own process;
* :class:`SqliteStore`, :class:`MemoryStore` — where the rows live (or do not survive);
* :class:`ApiClient`, :func:`curl_command`, :func:`run_curl` — two clients for one API.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from course_lib.components.client import ApiClient, Response, curl_command, run_curl, send_raw
from course_lib.components.httpapi import ApiServer, PortInUseError, make_store
from course_lib.components.store import RESOURCES, MemoryStore, SqliteStore, validate_item

__all__ = [
    # real system
    "ApiServer",
    "PortInUseError",
    "make_store",
    "MemoryStore",
    "SqliteStore",
    "RESOURCES",
    "validate_item",
    # clients
    "ApiClient",
    "Response",
    "curl_command",
    "run_curl",
    "send_raw",
]
