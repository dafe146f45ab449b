#!/usr/bin/env python3
"""Interop test: the Python RSocket client `rsocket` 0.4.20 (PyPI) against `ringside serve`.

Starts `ringside serve --name NAME --tcp 127.0.0.1:0`, reads the port from its line
`ringside serve: listening on tcp 127.0.0.1:PORT`, and speaks application/json to it:
fire-and-forget inserts, request-response insert and select, a request-stream tail with
initial_request_n and a later request(n), bad requests answered with an ERROR (not a hang)
on a connection that keeps working, and keepalives answered within the client's max
lifetime. Every wait has a timeout; the server is stopped with SIGTERM (killed if it
lingers) and must leave nothing in /dev/shm.

    python3 Tests/Interop/rsocket_interop.py [--ringside .build/debug/ringside]

Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import asyncio
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

from reactivestreams.subscriber import DefaultSubscriber
from rsocket.helpers import single_transport_provider
from rsocket.payload import Payload
from rsocket.rsocket_client import RSocketClient
from rsocket.transports.tcp import TransportTCP

STEP = 10.0          # seconds any one wait may take
START = 60.0         # seconds the server may take to start listening
LISTENING = re.compile(r"ringside serve: listening on tcp 127\.0\.0\.1:(\d+)")


class Checks:
    """Counts passed checks; the first failure ends the run."""

    def __init__(self):
        self.passed = 0

    def expect(self, condition, what):
        if not condition:
            raise AssertionError(what)
        self.passed += 1


def start_server(ringside, name):
    """Starts the server; returns (process, port, output lines queue)."""
    process = subprocess.Popen(
        [ringside, "serve", "--name", name, "--tcp", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            raise AssertionError(f"ringside serve exited ({process.wait()}) before listening")
        print(f"  server: {line}")
        match = LISTENING.search(line)
        if match:
            return process, int(match.group(1)), lines
    process.kill()
    raise AssertionError(f"ringside serve did not report a TCP listener within {START} s")


def stop_server(process, name, checks):
    """SIGTERM, then SIGKILL if it lingers; checks a clean exit and an empty /dev/shm."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STEP)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STEP)
            raise AssertionError("ringside serve did not stop within 10 s of SIGTERM")
    checks.expect(process.returncode == 0, f"ringside serve exits 0 on SIGTERM (got {process.returncode})")
    left = [entry for entry in os.listdir("/dev/shm") if name in entry]
    checks.expect(not left, f"no segment of '{name}' left in /dev/shm (found {left})")


def payload(message):
    return Payload(json.dumps(message).encode())


def answer(response):
    return json.loads(response.data.decode())


class TailSubscriber(DefaultSubscriber):
    """Collects a tail's events; wakes waiters on each."""

    def __init__(self):
        super().__init__()
        self.events = []
        self.error = None
        self.changed = asyncio.Event()

    def on_next(self, value, is_complete=False):
        self.events.append(json.loads(value.data.decode()))
        self.changed.set()

    def on_error(self, exception):
        self.error = exception
        self.changed.set()

    async def wait_for(self, count):
        deadline = time.monotonic() + STEP
        while len(self.events) < count and self.error is None:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), max(0.01, deadline - time.monotonic()))
        return self.events


async def exercise(port, checks):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), STEP)
    # Keepalive every 500 ms (rsocket 0.4.20 writes 1000 into SETUP), and the server is
    # taken for dead after 2 s without a KEEPALIVE answer.
    async with RSocketClient(
            single_transport_provider(TransportTCP(reader, writer)),
            data_encoding=b"application/json",
            keep_alive_period=timedelta(milliseconds=500),
            max_lifetime_period=timedelta(seconds=2)) as client:
        async def rr(message):
            return answer(await asyncio.wait_for(client.request_response(payload(message)), STEP))

        # Fire-and-forget inserts, then a select on the same connection sees them all.
        for i in range(10):
            await asyncio.wait_for(client.fire_and_forget(
                payload({"op": "insert", "key": "py-fnf", "score": i + 1, "member": f"m{i}"})), STEP)
        records = (await rr({"op": "select", "key": "py-fnf", "offset": 0, "limit": 0}))["records"]
        checks.expect([r["member"] for r in records] == [f"m{i}" for i in range(9, -1, -1)],
                      f"fire-and-forget inserts all selected, highest score first (got {records})")

        # Request-response insert, delete and select (with offset and limit).
        checks.expect(await rr({"op": "insert", "key": "py-rr", "score": 2.5, "member": "a"}) == {"ok": True},
                      "request-response insert answered {\"ok\": true}")
        checks.expect(await rr({"op": "insert", "key": "py-rr", "score": 7, "member": "b"}) == {"ok": True},
                      "second insert answered ok")
        checks.expect((await rr({"op": "select", "key": "py-rr", "offset": 0, "limit": 10}))["records"]
                      == [{"member": "b", "score": 7}, {"member": "a", "score": 2.5}], "select returns both, highest first")
        checks.expect((await rr({"op": "select", "key": "py-rr", "offset": 1, "limit": 1}))["records"]
                      == [{"member": "a", "score": 2.5}], "select honours offset and limit")
        checks.expect(await rr({"op": "delete", "key": "py-rr", "score": 8, "member": "b"}) == {"ok": True},
                      "request-response delete answered ok")
        checks.expect((await rr({"op": "select", "key": "py-rr", "offset": 0, "limit": 10}))["records"]
                      == [{"member": "a", "score": 2.5}], "the deleted member is gone")

        # A tail with initial_request_n 2: two events arrive, the rest wait for request(n).
        tail = TailSubscriber()
        client.request_stream(payload({"op": "tail", "key": "py-tail"})).initial_request_n(2).subscribe(tail)
        for i in range(5):
            await rr({"op": "insert", "key": "py-tail", "score": i + 1, "member": f"t{i}"})
        await tail.wait_for(2)
        await asyncio.sleep(0.3)
        checks.expect(tail.error is None and len(tail.events) == 2,
                      f"initial_request_n 2 delivers exactly 2 events (got {len(tail.events)}, error {tail.error})")
        tail.subscription.request(3)
        events = await tail.wait_for(5)
        checks.expect(events == [{"op": "insert", "key": "py-tail", "score": i + 1, "member": f"t{i}"} for i in range(5)],
                      f"request(3) delivers the other 3, in order (got {events})")
        tail.subscription.cancel()

        # Bad requests: an ERROR on their stream, promptly (the client raises), and the
        # connection keeps working.
        for bad in (b"not json", b'{"op":"nope","key":"k"}', b'{"op":"insert","key":"k","score":"x","member":"m"}'):
            try:
                await asyncio.wait_for(client.request_response(Payload(bad)), STEP)
                raised = None
            except asyncio.TimeoutError:
                raise AssertionError(f"bad request {bad!r} was not answered within {STEP} s")
            except Exception as error:  # RuntimeError (0x201) or RSocketProtocolError (0x204)
                raised = error
            checks.expect(raised is not None, f"bad request {bad!r} answered with an ERROR ({raised!r})")
        checks.expect((await rr({"op": "select", "key": "py-rr", "offset": 0, "limit": 10}))["records"]
                      == [{"member": "a", "score": 2.5}], "the connection works after the errors")

        # Keepalives: past the 2 s max lifetime, the server still counts as alive.
        await asyncio.sleep(3)
        checks.expect(client.is_server_alive(), "the server answers KEEPALIVE (alive after 3 s)")
        checks.expect((await rr({"op": "select", "key": "py-fnf", "offset": 0, "limit": 1}))["records"]
                      == [{"member": "m9", "score": 10}], "requests still answered after 3 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ringside", default=".build/debug/ringside", help="the ringside executable")
    arguments = parser.parse_args()
    name = f"ringside-interop-{os.getpid()}"
    checks = Checks()
    process = None
    try:
        process, port, _ = start_server(arguments.ringside, name)
        asyncio.run(asyncio.wait_for(exercise(port, checks), 120))
        stop_server(process, name, checks)
    except Exception as error:
        print(f"interop: FAILED after {checks.passed} checks: {error!r}", file=sys.stderr)
        return 1
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
    print(f"interop: ok ({checks.passed} checks, rsocket 0.4.20 against ringside serve --tcp)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
