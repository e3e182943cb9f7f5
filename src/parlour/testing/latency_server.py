"""A loopback OpenAI-compatible chat server that answers like a simple taboo or wordle player after a
fixed delay.

It stands in for a remote API in tests and benchmarks (the delay is the network + queueing time a
hosted model adds): taboo's describer (a prompt asking for "CLUE: <...>") gets a clue, a wordle
player a guess in wordle's format, anyone else a taboo guess.
Only for loopback use; it handles each request in its own thread so concurrent requests overlap.

    python -m parlour.testing.latency_server --latency 0.2 --port 0   # prints the base URL
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_DESCRIBER = re.compile(r"CLUE:\s*<")
_WORDLE_GUESSES = ("house", "crane", "slate", "about", "other", "there")


def taboo_reply(messages: list[dict[str, str]]) -> str:
    """A deterministic reply in taboo's (or wordle's) formats: rarely a win, so episodes play all turns."""
    first = messages[0]["content"] if messages else ""
    turn = sum(1 for m in messages if m["role"] == "assistant")
    if _DESCRIBER.search(first):
        return f"CLUE: Something you may meet on day {turn + 1}."
    if "guess:" in first and "explanation:" in first:
        word = _WORDLE_GUESSES[turn % len(_WORDLE_GUESSES)]
        return f"guess: {word}\nexplanation: a common word to test frequent letters."
    return f"GUESS: placeholder{turn + 1}"


def completion(body: dict[str, Any], pad_to: int = 0) -> bytes:
    """The OpenAI chat-completion JSON answering a request body (its reply padded to `pad_to` characters)."""
    text = taboo_reply(body.get("messages", []))
    text += " " * (pad_to - len(text))
    payload = {
        "id": "loopback",
        "object": "chat.completion",
        "model": body.get("model", "loopback"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": len(text.split()), "total_tokens": 0},
    }
    return json.dumps(payload).encode()


class _Handler(BaseHTTPRequestHandler):
    server: LatencyServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        number = self.server.enter()
        try:
            if number > self.server.hold_after:
                self.server.released.wait()
            time.sleep(self.server.latency_s)
        finally:
            self.server.leave()
        if self.server.fail_status:
            self.send_error(self.server.fail_status)
            return
        data = completion(body)
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class LatencyServer(ThreadingHTTPServer):
    daemon_threads = True
    # the default backlog of 5 drops connections beyond it, and the client retries them a second later
    request_queue_size = 256

    def __init__(
        self,
        latency_s: float,
        port: int = 0,
        handler: type[BaseHTTPRequestHandler] = _Handler,
        hold_after: int | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", port), handler)
        self.latency_s = latency_s
        self.requests = 0
        self.fail_status = 0  # when set, every request gets this HTTP status (to test failures)
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests served at once: shows the client's concurrency limit
        # requests after the first `hold_after` wait until release(): a test can then act (signal, kill)
        # while the client is known to be mid-run, instead of guessing with a sleep
        self.hold_after = hold_after if hold_after is not None else float("inf")
        self.released = threading.Event()
        self._lock = threading.Lock()

    def enter(self) -> int:
        """Counts a request in; returns its number (1 for the first)."""
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.requests

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that gave up on a request (timeout, Ctrl-C while it was held) is no server error
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def release(self) -> None:
        """Lets the held requests (and every later one) through."""
        self.released.set()

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> LatencyServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release()
        self.shutdown()
        self.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added to every request")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = LatencyServer(args.latency, args.port)
    print(server.base_url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
