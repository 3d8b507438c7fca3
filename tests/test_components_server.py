"""The real API: persistence across restarts, errors as JSON, clean shutdown, the CLI backend."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading

import pytest

from course_lib.components import (
    ApiClient,
    ApiServer,
    PortInUseError,
    blind_retry,
    curl_command,
    run_curl,
    send_raw,
    validate_item,
)
from course_lib.components.runtime.backend import BackendProcess
from course_lib.core.loopback import free_port


def test_sqlite_rows_survive_a_restart_memory_rows_do_not(tmp_path):
    db = tmp_path / "notes.db"
    with ApiServer(db) as server:
        client = ApiClient(server.url)
        for text in ["a", "b", "c"]:
            assert client.create("notes", text=text).status == 201
    assert not server.running
    with ApiServer(db) as server:
        items = ApiClient(server.url).list("notes").body["items"]
    assert [i["text"] for i in items] == ["a", "b", "c"]

    with ApiServer(None) as server:
        ApiClient(server.url).create("notes", text="lost")
    with ApiServer(None) as server:
        assert ApiClient(server.url).list("notes").body["items"] == []


def test_crud_and_server_identity(tmp_path):
    with ApiServer(tmp_path / "x.db", name="backend-a") as server:
        client = ApiClient(server.url)
        health = client.health()
        assert health.status == 200 and health.body == {
            "server": "backend-a", "status": "ok", "store": "sqlite"}
        created = client.create("orders", item="book", quantity=2)
        assert created.status == 201 and created.server == "backend-a"
        assert created.body["item"] == {"id": 1, "item": "book", "quantity": 2}
        assert client.get("orders", 1).body["item"]["item"] == "book"
        assert client.get("orders", 7).status == 404
        # timings: db inside server inside client
        assert 0 < created.db_time <= created.server_time <= created.client_time


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "body is not valid JSON"),
        (json.dumps({"text": ""}).encode(), r"text must be a non-empty string \(got ''\)"),
        (json.dumps([1, 2]).encode(), "body must be a JSON object"),
        (json.dumps({"text": "x", "colour": 1}).encode(), "unknown field"),
    ],
)
def test_bad_requests_get_400_with_a_message(raw, message):
    with ApiServer() as server:
        reply = ApiClient(server.url).request("POST", "/notes", raw=raw)
    assert reply.status == 400
    assert set(reply.body) == {"server", "error"}
    assert re.search(message, reply.body["error"])


def test_malformed_http_and_unknown_paths_get_json_not_tracebacks():
    with ApiServer() as server:
        client = ApiClient(server.url)
        assert client.request("GET", "/nope").status == 404
        assert client.request("GET", "/notes/abc").status == 400
        assert client.request("POST", "/notes/1", {"text": "x"}).status == 405
        raw = send_raw(server.url, b"POST /notes HTTP/1.0\r\nContent-Length: 5\r\n\r\n{bad}")
        odd = send_raw(server.url, b"GARBAGE / HTTP/1.0\r\n\r\n")
    assert raw.startswith("HTTP/1.0 400 Bad Request\n")
    assert json.loads(raw.split("\n", 1)[1])["error"].startswith("body is not valid JSON")
    assert odd.startswith("HTTP/1.0 501")
    assert json.loads(odd.split("\n", 1)[1])["error"] == "Unsupported method ('GARBAGE')"


def test_validation_messages_name_the_field():
    with pytest.raises(ValueError, match=r"quantity must be an integer >= 1 \(got 0\)"):
        validate_item("orders", {"item": "a", "quantity": 0})
    with pytest.raises(ValueError, match=r"resource must be one of \['notes', 'orders'\]"):
        validate_item("users", {})
    with pytest.raises(ValueError, match=r"port must be an integer in 0..65535 \(got -1\)"):
        ApiServer(port=-1)


def test_port_in_use_is_a_clear_error():
    with ApiServer() as server, pytest.raises(
            PortInUseError, match=f"127.0.0.1:{server.port} is already in use: stop the other"):
        ApiServer(port=server.port).start()


def test_no_thread_outlives_the_server():
    before = set(threading.enumerate())
    with ApiServer() as server:
        client = ApiClient(server.url)
        for _ in range(20):
            client.list("notes")
    lingering = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in lingering:  # handler threads finish right after their single request
        t.join(timeout=2)
    assert not [t for t in lingering if t.is_alive()]
    with pytest.raises(ConnectionError, match="is the server running"):
        ApiClient(server_url := f"http://127.0.0.1:{free_port()}", timeout=1).health()
    assert server_url


def test_curl_command_and_run():
    cmd = curl_command("POST", "http://127.0.0.1:1/notes", {"text": "hi"})
    assert cmd == ("curl -s -X POST http://127.0.0.1:1/notes -H 'Content-Type: application/json'"
                   " -d '{\"text\": \"hi\"}'")
    if shutil.which("curl") is None:
        assert run_curl(cmd) is None
        return
    with ApiServer(name="c") as server:
        out = run_curl(curl_command("POST", f"{server.url}/notes", {"text": "hi"}))
    assert json.loads(out) == {"server": "c", "item": {"id": 1, "text": "hi"}}


def test_cli_backend_process(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "course_lib.components.runtime.server_main", "--port", str(port),
         "--db", str(tmp_path / "b.db"), "--name", "backend-b"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == f"listening on http://127.0.0.1:{port} as backend-b"
        reply = ApiClient(f"http://127.0.0.1:{port}").health()
        assert reply.server == "backend-b" and reply.body["status"] == "ok"
        clash = subprocess.run(
            [sys.executable, "-m", "course_lib.components.runtime.server_main", "--port", str(port),
             "--memory"], capture_output=True, text=True, timeout=30)
        assert clash.returncode == 2
        assert f"127.0.0.1:{port} is already in use" in clash.stderr
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()


def test_backend_process_restart_keeps_sqlite_rows(tmp_path):
    db = tmp_path / "p.db"
    with BackendProcess(db, name="p1") as backend:
        assert ApiClient(backend.url).create("notes", text="kept").status == 201
    assert backend.process is None
    with BackendProcess(db, name="p2") as backend:
        reply = ApiClient(backend.url).list("notes")
        exit_code = backend.stop()
    assert reply.server == "p2" and [i["text"] for i in reply.body["items"]] == ["kept"]
    assert exit_code == 0
    with pytest.raises(RuntimeError, match="did not start: error: .*already in use"), \
            ApiServer() as server:
        BackendProcess(None, port=server.port).start()


def test_a_blind_retry_of_a_post_that_timed_out_places_the_order_twice(capfd):
    """The server is slow (0.6 s), the client gives up after 0.2 s and re-sends: two orders."""
    with ApiServer(None, delay_time=0.6) as slow:
        assert blind_retry(slow.url, "orders", tries=2, timeout=0.2,
                           item="keyboard", quantity=1) == ["timed out", "timed out"]
        items = ApiClient(slow.url, timeout=5.0).list("orders").body["items"]
    assert [(i["item"], i["quantity"]) for i in items] == [("keyboard", 1), ("keyboard", 1)]
    assert capfd.readouterr().err == ""  # the lost answers leave no traceback on stderr


def test_a_patient_client_creates_the_order_once():
    with ApiServer(None, delay_time=0.05) as server:
        assert blind_retry(server.url, "orders", tries=3, timeout=2.0,
                           item="pen", quantity=1) == ["201"]
        assert len(ApiClient(server.url).list("orders").body["items"]) == 1
    with pytest.raises(ValueError, match=r"tries must be an integer >= 1 \(got 0\)"):
        blind_retry("http://127.0.0.1:1", "orders", tries=0)
