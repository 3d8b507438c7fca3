"""The live failover lab: real backends, a real HAProxy, real load, a real failure.

``run_lab(scenario)`` takes the *same* :class:`~course_lib.lb.models.scenario.Scenario` the
simulator takes and plays it on this machine:

1. start one backend process per ``scenario.backends`` (service time ``1 / service_rate``);
2. render ``haproxy.cfg`` from the scenario (:mod:`.config`), validate it with ``haproxy -c``,
   start HAProxy and wait until it believes every server is up;
3. send ``arrival_rate`` requests per second for ``duration`` seconds (time 0 = the first
   request, as in the simulator) and inject each ``Failure`` at its ``at``: ``crash`` is
   SIGKILL, ``hang`` is SIGSTOP; at ``until`` the backend comes back (a fresh process after a
   crash, SIGCONT after a hang). Each ``Operation`` is sent to HAProxy's runtime API at its
   ``at`` (``set server app/b1 state drain``, ``set weight app/b1 50%``); when it was applied
   and HAProxy's answer go to ``meta["operations"]``;
4. stop everything (also when anything above raised) and return a :class:`LiveResult`.

A run with ``duration=6`` takes about 7–8 s of wall-clock time.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from course_lib.core import progress
from course_lib.core.runs import THIS_MACHINE
from course_lib.core.runs import label as run_label
from course_lib.lb.live.failover.config import live_config
from course_lib.lb.models.operations import Operation, runtime_command
from course_lib.lb.models.result import Detection
from course_lib.lb.models.scenario import Failure, Scenario
from course_lib.lb.runtime.backends import Backends, free_port
from course_lib.lb.runtime.haproxy import HAProxy, StateChange, StatSample, haproxy_version
from course_lib.lb.runtime.loadgen import LiveRequest, LoadGenerator

LIVE_KINDS = ("crash", "hang")
LOAD_PATH = "/"


#: A live detection has the simulator's shape (``failed_attempts`` left ``None``): one name each.
LiveDetection = Detection


@dataclass
class LiveResult:
    """What one live run measured: flat request records, HAProxy's state changes and samples."""

    scenario: Scenario
    requests: list[LiveRequest]
    detections: list[LiveDetection]
    changes: list[StateChange]
    samples: list[StatSample]
    counters: dict[str, dict[str, int]]
    config: str
    haproxy_version: str
    label: str = run_label(THIS_MACHINE)
    meta: dict = field(default_factory=dict)

    def failed(self, start: float = 0.0, end: float = float("inf")) -> list[LiveRequest]:
        """Requests sent in ``[start, end)`` that did not get a 2xx answer."""
        return [r for r in self.requests if start <= r.sent_at < end and not r.ok]

    def served_by(self, start: float = 0.0, end: float = float("inf")) -> dict[str, int]:
        """How many successful answers each backend gave to requests sent in ``[start, end)``."""
        counts = {b.name: 0 for b in self.scenario.backends}
        for r in self.requests:
            if start <= r.sent_at < end and r.ok and r.backend in counts:
                counts[r.backend] += 1
        return counts

    def summary(self) -> dict:
        ok = [r for r in self.requests if r.ok]
        return {
            "requests": len(self.requests),
            "failed": len(self.requests) - len(ok),
            "served_by": self.served_by(),
            "detection_time": {d.backend: d.detection_time for d in self.detections},
            "retries": {n: c.get("wretr", 0) for n, c in self.counters.items()},
            "redispatches": {n: c.get("wredis", 0) for n, c in self.counters.items()},
        }

    # -- stored results (shown where HAProxy is not installed; see course_lib.core.runs) -------
    def to_json(self) -> dict:
        return {
            "label": self.label, "haproxy_version": self.haproxy_version, "meta": self.meta,
            "config": self.config, "counters": self.counters,
            # one compact row per request: index, sent_at, backend, status, latency, error
            "requests": [[r.index, round(r.sent_at, 4), r.backend, r.status,
                          round(r.response_time, 5), r.error] for r in self.requests],
            "detections": [asdict(d) for d in self.detections],
            "changes": [asdict(c) for c in self.changes],
            "samples": [asdict(s) for s in self.samples],
        }

    @classmethod
    def from_json(cls, data: dict, scenario: Scenario) -> LiveResult:
        return cls(
            scenario=scenario,
            requests=[LiveRequest(*row) for row in data["requests"]],
            detections=[LiveDetection(**d) for d in data["detections"]],
            changes=[StateChange(**c) for c in data["changes"]],
            samples=[StatSample(**s) for s in data["samples"]],
            counters=data["counters"], config=data["config"],
            haproxy_version=data["haproxy_version"], label=data["label"],
            meta=data.get("meta", {}),
        )


def _check_live(scenario: Scenario) -> None:
    for i, f in enumerate(scenario.failures):
        if f.kind not in LIVE_KINDS:
            raise ValueError(f"failures[{i}].kind must be one of {', '.join(LIVE_KINDS)} for "
                             f"the live lab (got {f.kind!r})")
    if scenario.duration > 30:
        raise ValueError(f"duration must be <= 30 s for the live lab (got {scenario.duration:g})")


def _detections(scenario: Scenario, injected: dict, changes: list[StateChange]):
    out = []
    for i, f in enumerate(scenario.failures):
        failed_at, recovered_at = injected[(i, "fail")], injected.get((i, "recover"))
        down = next((c.at for c in changes if c.server == f.backend and c.state == "DOWN"
                     and c.at >= failed_at), None)
        up = None
        if recovered_at is not None:
            up = next((c.at for c in changes if c.server == f.backend and c.state == "UP"
                       and c.at >= recovered_at), None)
        out.append(LiveDetection(f.backend, f.kind, round(failed_at, 4), down,
                                 None if recovered_at is None else round(recovered_at, 4), up))
    return out


def run_lab(scenario: Scenario, *, app: str = "tiny", path: str = LOAD_PATH,
            client_timeout: float | None = None, settle: float = 0.3) -> LiveResult:
    """Play ``scenario`` with real processes (see the module docstring); needs HAProxy.

    ``settle`` seconds after the last request is sent let HAProxy's last state changes arrive.
    """
    _check_live(scenario)
    timeout = client_timeout or scenario.request_timeout + 2
    # (at, index, what, the failure or the operation): "fail"/"recover" or "operate"
    actions: list[tuple[float, int, str, Failure | Operation]] = []
    for i, failure in enumerate(scenario.failures):
        actions.append((failure.at, i, "fail", failure))
        if failure.end_at is not None and failure.end_at < scenario.duration:
            actions.append((failure.end_at, i, "recover", failure))
    for i, op in enumerate(scenario.operations):
        actions.append((op.at, i, "operate", op))
    actions.sort(key=lambda a: a[0])
    operated: list[list] = []
    # 7-8 s of wall-clock time per run, silent otherwise: each phase goes to the progress line
    with progress.task("live run", f"{scenario.duration:g} s played") as task:
        task.phase(f"starting {len(scenario.backends)} backends and HAProxy")
        with Backends(len(scenario.backends), names=scenario.names, seed=scenario.seed, app=app,
                      service=scenario.service,
                      service_times=[1 / b.service_rate for b in scenario.backends]) as backends, \
                HAProxy() as proxy:
            port = free_port()
            config = live_config(scenario, backends.ports, frontend_port=port,
                                 socket_path=proxy.socket_path)
            proxy.start(config)
            task.phase("waiting for HAProxy to see every server up")
            proxy.wait_all_up()
            task.phase(f"sending {scenario.arrival_rate:g} requests/s for {scenario.duration:g} s")
            injected: dict[tuple[int, str], float] = {}
            t0 = time.monotonic()
            proxy.t0 = t0
            proxy.changes.clear()
            proxy.samples.clear()
            with LoadGenerator(port, rate=scenario.arrival_rate, duration=scenario.duration, t0=t0,
                               timeout=timeout, path=path) as load:
                for at, i, what, f in actions:
                    time.sleep(max(0.0, t0 + at - time.monotonic()))
                    if what == "operate":  # the operator's command, on the runtime API
                        assert isinstance(f, Operation)
                        answer = proxy.command(runtime_command(f)).strip()
                        operated.append([round(time.monotonic() - t0, 4), f.backend, f.action,
                                         f.weight, answer])
                    elif what == "fail":
                        assert isinstance(f, Failure)
                        injected[(i, what)] = time.monotonic() - t0
                        (backends.crash if f.kind == "crash" else backends.hang)(f.backend)
                    else:
                        backends.recover(f.backend)  # returns once /health answers
                        injected[(i, what)] = time.monotonic() - t0
                    # after the action, so that reporting never delays it
                    task.phase(f"{what} {f.backend} at {at:g} s of {scenario.duration:g} s")
            task.phase("collecting HAProxy's counters")
            time.sleep(settle)
            counters = {name: {k: int(row[k] or 0)
                               for k in ("wretr", "wredis", "chkfail", "chkdown")}
                        for name, row in proxy.servers().items()}
            changes, samples = list(proxy.changes), list(proxy.samples)
    version = haproxy_version()
    return LiveResult(
        scenario=scenario, requests=load.join(),
        detections=_detections(scenario, injected, changes),
        changes=changes, samples=samples, counters=counters, config=config,
        haproxy_version=version, label=run_label(THIS_MACHINE, software=f"HAProxy {version}"),
        meta={"app": app, "path": path, "loadgen": "fixed-rate (open loop)",
              **({"operations": operated} if operated else {})},
    )


def trace(scenario: Scenario, n: int = 5, *, rate: float = 5.0, app: str = "tiny"
          ) -> tuple[list[LiveRequest], dict[str, str]]:
    """Send ``n`` requests through HAProxy for ``scenario`` (failures left out): the records and
    what ``show stat`` says about each server afterwards. The lesson's first look at the lab."""
    if not 1 <= n <= 100:
        raise ValueError(f"n must be in 1..100 (got {n})")
    with progress.task("trace", f"{n} requests sent") as task, \
            Backends(len(scenario.backends), names=scenario.names, app=app,
                     service=scenario.service,
                     service_times=[1 / b.service_rate for b in scenario.backends]) as backends, \
            HAProxy() as proxy:  # seconds to start and check, silent otherwise
        port = free_port()
        proxy.start(live_config(scenario, backends.ports, frontend_port=port,
                                socket_path=proxy.socket_path))
        task.phase("waiting for HAProxy to see every server up")
        proxy.wait_all_up()
        task.phase(f"sending {n} requests")
        records = LoadGenerator(port, rate=rate, duration=n / rate, t0=time.monotonic(),
                                timeout=2.0).start().join()
        states = {name: f"{row['status']} ({row['check_status']})"
                  for name, row in proxy.servers().items()}
    return records, states
