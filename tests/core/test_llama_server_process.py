"""The llama.cpp server parlour starts (a sweep's `serve:`, the test fixture) never outlives its owner,
even one killed without a chance to clean up. A stand-in `llama_cpp.server` module keeps this fast."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

FAKE_SERVER = """
import http.server, os, sys
from pathlib import Path
port = int(sys.argv[sys.argv.index("--port") + 1])
Path(os.environ["FAKE_SERVER_PID_FILE"]).write_text(str(os.getpid()))
class Models(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Models).serve_forever()
"""

OWNER = """
import sys, time
from pathlib import Path
from parlour.models.engines.llama_server import serve_gguf
with serve_gguf(Path("model.gguf"), "fake", int(sys.argv[1]), start_timeout_s=60):
    print("serving", flush=True)
    time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")  # a zombie has ended


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_a_server_ends_when_its_owner_is_killed(tmp_path: Path) -> None:
    (tmp_path / "llama_cpp").mkdir()
    (tmp_path / "llama_cpp" / "__init__.py").write_text("")
    (tmp_path / "llama_cpp" / "server.py").write_text(FAKE_SERVER)
    pid_file = tmp_path / "server.pid"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
        "FAKE_SERVER_PID_FILE": str(pid_file),
    }
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(_free_port())], env=env, stdout=subprocess.PIPE, text=True
    )
    server_pid = None
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "serving"
        server_pid = int(pid_file.read_text())
        assert _alive(server_pid)
        owner.send_signal(signal.SIGKILL)  # no finally block runs in the owner
        owner.wait()
        deadline = time.monotonic() + 30
        while _alive(server_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server_pid), "the server outlived the process that started it"
    finally:
        owner.kill()
        owner.wait()
        if server_pid is not None and _alive(server_pid):
            os.kill(server_pid, signal.SIGKILL)
