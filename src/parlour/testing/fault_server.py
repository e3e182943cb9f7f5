"""A loopback OpenAI-compatible server that injects faults at configurable rates (tests, bench/faults.py).

Each request either gets the latency server's normal reply or one fault:

    429          HTTP 429 without Retry-After         429_retry_after  HTTP 429 with Retry-After
    500, 503     a server error                       reset            the connection reset, no reply
    hang         no reply at all for `hang_s`         garbage          200 with a body that is not JSON
    empty        200 with an empty `choices` list     trickle          the reply one byte per `trickle_s`
    401_echo     HTTP 401 whose body echoes the request headers, Authorization included
    huge         200 with a 10 MB reply               gzip_bomb        200, gzip: 0.3 MB expanding to 300 MB

and, to test that secrets and terminal escapes never reach a record or the terminal:

    echo_200          a normal reply that quotes the Authorization header
    echo_400_late     HTTP 400 whose text body quotes the key from its character 190 on
    echo_garbage_late 200 with a body that is not JSON and quotes the key from its character 110 on
    escapes_400       HTTP 400 whose body holds terminal escape sequences (clear screen, window title)

Which requests fail is decided by hashing the request body and how often that body was seen, not by
arrival order, so a run's faults do not depend on its concurrency.

    python -m parlour.testing.fault_server --rate 0.2 --latency 0.05   # prints the base URL
"""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from functools import cache
from typing import Any

from parlour.testing.latency_server import LatencyServer, _Handler, completion

FAULT_KINDS = (
    *("429", "429_retry_after", "500", "503", "reset", "hang", "garbage", "empty", "trickle", "401_echo"),
    *("echo_200", "echo_400_late", "echo_garbage_late", "escapes_400"),
    *("huge", "gzip_bomb"),
)
HUGE_REPLY_BYTES = 10 * 1024 * 1024
BOMB_BYTES = 300 * 1024 * 1024
# the default mix (bench/faults.py, the reliability tests, --kinds): the faults a run must ride out by retrying;
# a 401 is left out because it stops a run by design
TRANSIENT_KINDS = ("429", "429_retry_after", "500", "503", "reset", "hang", "garbage", "empty", "trickle")


@cache
def gzip_bomb(expanded: int = BOMB_BYTES) -> bytes:
    """A gzip body of a chat completion whose content is `expanded` bytes of one letter (about 1/1000 the
    size), compressed piecewise so the server never holds the expanded text."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    parts = [compressor.compress(b'{"choices": [{"message": {"content": "')]
    block = b"a" * (1024 * 1024)
    for _ in range(expanded // len(block)):
        parts.append(compressor.compress(block))
    parts.append(compressor.compress(b'"}, "finish_reason": "stop"}]}') + compressor.flush())
    return b"".join(parts)


def spread(rate: float, kinds: tuple[str, ...] = TRANSIENT_KINDS) -> dict[str, float]:
    """`rate` shared equally among `kinds`: the per-kind rates FaultServer takes."""
    return {kind: rate / len(kinds) for kind in kinds}


class _FaultHandler(_Handler):
    server: FaultServer

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        raw = self.rfile.read(int(self.headers.get("content-length", 0)))
        fault = self.server.pick_fault(raw)
        self.server.enter()
        try:
            time.sleep(self.server.latency_s)
        finally:
            self.server.leave()
        if fault is None:
            self._send(200, completion(json.loads(raw or b"{}")))
        elif fault in ("429", "500", "503"):
            self._send(int(fault), b'{"error": "injected fault"}')
        elif fault == "429_retry_after":
            self._send(429, b'{"error": "slow down"}', {"Retry-After": f"{self.server.retry_after_s:g}"})
        elif fault == "reset":
            # RST instead of FIN: the client sees a connection reset, not an orderly close
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif fault == "hang":
            time.sleep(self.server.hang_s)
            self.close_connection = True
        elif fault == "garbage":
            self._send(200, b'{"choices": [{"message": {"content": "unterminat')
        elif fault == "empty":
            self._send(200, b'{"id": "x", "choices": []}')
        elif fault == "trickle":
            self._trickle(completion(json.loads(raw or b"{}")))
        elif fault == "huge":
            self._send(200, completion(json.loads(raw or b"{}"), pad_to=HUGE_REPLY_BYTES))
        elif fault == "gzip_bomb":
            self._send(200, gzip_bomb(), {"Content-Encoding": "gzip"})
        elif fault == "401_echo":
            echoed = {"error": "invalid credentials", "authorization": self.headers.get("Authorization")}
            echoed["request_headers"] = dict(self.headers)
            self._send(401, json.dumps(echoed).encode())
        elif fault in ("echo_200", "echo_400_late", "echo_garbage_late", "escapes_400"):
            self._send_echo(fault, raw)

    def _send_echo(self, fault: str, raw: bytes) -> None:
        key = self.headers.get("Authorization", "").partition(" ")[2]
        if fault == "echo_200":
            reply = json.loads(completion(json.loads(raw or b"{}")))
            reply["choices"][0]["message"]["content"] += f" (you sent the key {key})"
            self._send(200, json.dumps(reply).encode())
        elif fault == "echo_400_late":
            self._send(400, ("bad request; " + "x" * 177 + key).encode(), {"content-type": "text/plain"})
        elif fault == "echo_garbage_late":
            self._send(200, ('{"choices": [' + "x" * 97 + key).encode())
        else:
            self._send(400, b'{"error": "\x1b[2J\x1b]0;owned\x07\x1b[31mred\x1b[0m \xc2\x9b1m"}')

    def _send(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in {"content-type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _trickle(self, data: bytes) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        try:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                time.sleep(self.server.trickle_s)
        except OSError:
            pass  # the client gave up: its deadline worked

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # a reset or abandoned connection


class FaultServer(LatencyServer):
    """`faults` maps kinds (FAULT_KINDS) to the share of requests that get them (summing to at most 1)."""

    def __init__(
        self,
        faults: dict[str, float],
        latency_s: float = 0.0,
        seed: int = 0,
        hang_s: float = 10.0,
        trickle_s: float = 0.05,
        retry_after_s: float = 0.0,
        port: int = 0,
    ) -> None:
        unknown = set(faults) - set(FAULT_KINDS)
        if unknown or sum(faults.values()) > 1 + 1e-9 or min(faults.values(), default=0) < 0:
            raise ValueError(f"faults: kinds from {FAULT_KINDS} with rates >= 0 summing to at most 1, not {faults}")
        super().__init__(latency_s, port, handler=_FaultHandler)
        self.faults = dict(faults)
        self.seed = seed
        self.hang_s, self.trickle_s, self.retry_after_s = hang_s, trickle_s, retry_after_s
        self.injected: Counter[str] = Counter()
        self._seen: Counter[bytes] = Counter()
        self._fault_lock = threading.Lock()

    def pick_fault(self, raw_body: bytes) -> str | None:
        """The fault for this request (None: a normal reply), from the body and how often it came."""
        digest = hashlib.sha256(raw_body).digest()
        with self._fault_lock:
            self._seen[digest] += 1
            nth = self._seen[digest]
        draw = hashlib.sha256(f"{self.seed}:{nth}:".encode() + digest).digest()
        point = int.from_bytes(draw[:8], "big") / 2**64
        for kind, rate in self.faults.items():
            if point < rate:
                with self._fault_lock:
                    self.injected[kind] += 1
                return kind
            point -= rate
        return None

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and abandoned connections are the point here; keep test output quiet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=0.2, help="share of requests that get a fault")
    parser.add_argument("--kinds", default=",".join(TRANSIENT_KINDS), help="comma-separated fault kinds")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = FaultServer(spread(args.rate, tuple(args.kinds.split(","))), args.latency, port=args.port)
    print(server.base_url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
