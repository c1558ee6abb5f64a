"""Load test: ``slr-fsm serve`` and moto's server side by side, on this machine, in one run.

    python benchmarks/server_load.py            # 4 clients, a few thousand requests each side
    python benchmarks/server_load.py --quick    # a short pass (CI)
    python benchmarks/server_load.py --json out.json

Each server runs in its own process (slr_fsm's as ``slr-fsm serve``, moto's as
``python -m moto.server``, both werkzeug's threaded server); the clients are threads of this
process that send ready-made query-protocol requests over plain ``http.client`` (a new
connection each, as both servers close every connection), so the figures are the servers'
and not a client library's. Two workloads:

- ``get_role``: one existing service-linked role read over and over;
- ``create/delete``: CreateServiceLinkedRole then DeleteServiceLinkedRole, each client on a
  role of its own (slr_fsm: one account per client, zero latencies so the work runs within
  the request; moto: one service name per client, as moto has one account).

Reported: requests per second over all clients, and each request's latency (p50, p99). Every
answer must be HTTP 200, or the run fails. Loops are bounded in count; traffic stays on
127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
ROLE = "AWSServiceRoleForMarketplacePurchaseOrders"
SERVICE = "purchase-orders.marketplace.amazonaws.com"
CLIENTS = 4
HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _authorization(key_id: str) -> dict[str, str]:
    return {"Authorization": f"AWS4-HMAC-SHA256 Credential={key_id}/20260101/us-east-1/iam/"
                             "aws4_request, SignedHeaders=host, Signature=0"}


class Served:
    """A server process under test: its endpoint, and a request sender."""

    def __init__(self, name: str, process: subprocess.Popen[str], url: str) -> None:
        self.name, self.process, self.url = name, process, url
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def post(self, form: dict[str, str], key_id: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request("POST", "/", urlencode(form), {**HEADERS, **_authorization(key_id)})
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_slr_fsm() -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "slr_fsm.cli", "serve", "--port", "0", "--quiet",
         "--creation-latency", "0", "--deletion-start-latency", "0", "--deletion-run-latency", "0"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    return Served("slr_fsm", process, json.loads(process.stdout.readline())["endpoint_url"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_moto() -> Served | None:
    """moto's server, or ``None`` without ``moto[server]`` (flask)."""
    try:
        import flask  # noqa: F401 - moto's server needs it
        import moto.server  # noqa: F401
    except ImportError:
        return None
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Served("moto", process, f"http://127.0.0.1:{port}")
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("moto's server did not start")


def _slr_fsm_keys() -> list[str]:
    """One administrator's access key id per account of the default world."""
    from slr_fsm import Simulation
    from slr_fsm.server import access_keys

    return [k.access_key_id for k in access_keys(Simulation.default(seed=0)) if k.principal == "admin"]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_load(served: Served, requests: list[list[tuple[dict[str, str], str]]]) -> dict[str, float]:
    """Send each client's requests from its own thread; requests/s and latency percentiles."""
    latencies: list[list[float]] = [[] for _ in requests]
    failures: list[str] = []

    def client(n: int) -> None:
        for form, key in requests[n]:
            began = time.perf_counter()
            status, body = served.post(form, key)
            latencies[n].append(time.perf_counter() - began)
            if status != 200:
                failures.append(f"{form['Action']}: {status} {body[:200]!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(requests))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{served.name}: {len(failures)} requests failed, e.g. {failures[0]}")
    flat = [x for per in latencies for x in per]
    return {"requests": len(flat), "seconds": elapsed, "per_second": len(flat) / elapsed,
            "p50_ms": statistics.median(flat) * 1e3, "p99_ms": _percentile(flat, 0.99) * 1e3}


def _get(role: str) -> dict[str, str]:
    return {"Action": "GetRole", "Version": "2010-05-08", "RoleName": role}


def _cycle(service: str, role: str) -> list[dict[str, str]]:
    return [{"Action": "CreateServiceLinkedRole", "Version": "2010-05-08", "AWSServiceName": service},
            {"Action": "DeleteServiceLinkedRole", "Version": "2010-05-08", "RoleName": role}]


def workloads(served: Served, per_client: int) -> dict[str, dict[str, float]]:
    """The two workloads against one server (which starts with no role)."""
    if served.name == "slr_fsm":
        keys = _slr_fsm_keys()[:CLIENTS]
        services = [SERVICE] * CLIENTS
    else:
        keys = ["AKIAIOSFODNN7EXAMPLE"] * CLIENTS
        services = [f"svc{n}.amazonaws.com" for n in range(CLIENTS)]
    roles = []
    for key, service in zip(keys, services, strict=True):
        status, body = served.post(_cycle(service, "")[0], key)
        if status != 200:
            raise RuntimeError(f"{served.name}: cannot create a role: {body[:300]!r}")
        text = body.decode()
        roles.append(text[text.index("<RoleName>") + 10 : text.index("</RoleName>")])
    results = {"get_role": run_load(served, [[(_get(roles[n]), keys[n])] * per_client
                                             for n in range(CLIENTS)])}
    for key, role in zip(keys, roles, strict=True):
        served.post(_cycle("", role)[1], key)
    cycles = [[(form, keys[n]) for _ in range(per_client // 2) for form in _cycle(services[n], roles[n])]
              for n in range(CLIENTS)]
    results["create/delete"] = run_load(served, cycles)
    return results


def measure(quick: bool) -> dict[str, dict[str, dict[str, float]]]:
    """Both servers, both workloads: ``{server: {workload: figures}}`` (moto absent when its
    server cannot start here)."""
    per_client = 100 if quick else 1000
    out: dict[str, dict[str, dict[str, float]]] = {}
    for start in (start_slr_fsm, start_moto):
        served = start()
        if served is None:
            continue
        try:
            workloads(served, 10)  # warm-up (lazy imports, first requests); leaves no role
            out[served.name] = workloads(served, per_client)
        finally:
            served.stop()
    return out


def _figure(f: dict[str, float]) -> str:
    return f"{f['per_second']:,.0f} req/s (p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms)"


def rows_for_run(quick: bool) -> list[dict[str, Any]]:
    """The load test as rows of ``benchmarks/run.py``'s table."""
    results = measure(quick)
    rows = []
    for workload in ("get_role", "create/delete"):
        ours = results["slr_fsm"][workload]
        theirs = results.get("moto", {}).get(workload)
        rows.append({
            "what": f"`slr-fsm serve`, {workload} over HTTP, {CLIENTS} concurrent clients",
            "ours": _figure(ours),
            "compared_with": "moto's server",
            "theirs": _figure(theirs) if theirs else "not run (moto[server] missing)",
            "ratio": ours["per_second"] / theirs["per_second"] if theirs else float("nan"),
            "target": "-",
            "met": None,
            "note": "requests/s, both on werkzeug's threaded server",
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 requests a client, not 1,000")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    results = measure(args.quick)
    print(f"{'server':<8} {'workload':<14} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for name, figures in results.items():
        for workload, f in figures.items():
            print(f"{name:<8} {workload:<14} {f['requests']:>8,.0f} {f['per_second']:>8,.0f} "
                  f"{f['p50_ms']:>7.2f} {f['p99_ms']:>7.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def rows(quick: bool) -> list[Any]:
    """The load test as rows of ``benchmarks/run.py``'s table."""
    from harness import Row

    return [Row(**row) for row in rows_for_run(quick)]
