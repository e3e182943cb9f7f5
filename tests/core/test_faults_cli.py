"""Two games through the real `parlour run` at concurrency 16 against an endpoint injecting 20 % faults:
every episode is played or recorded as an error, failures give a non-zero exit, a rerun completes,
and the transcripts equal those of a fault-free run. A server echoing the key never leaks it."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import parlour_process, write_registry
from support.records import strip_volatile

from parlour.testing.fault_server import FaultServer, spread

PAIR = "remote-t0.0--remote-t0.0"
SECRET = "sk-faults-cli-never-leak-9012"
RUN = ("run", "-g", "taboo", "-g", "wordle", "-m", "remote", "--limit", "3", "--concurrency", "16", "--no-progress")


# the runs are processes: a key registered for redaction stays registered for the rest of the process, so an
# earlier run in this one would hide a run that fails to register it
def registry(tmp_path: Path, url: str, max_retries: int) -> dict[str, str]:
    entry = {
        "name": "remote",
        "backend": "openai_compatible",
        "base_url": url,
        "api_key_env": "PARLOUR_FAULTS_KEY",
        "max_retries": max_retries,
        "timeout_s": 3.0,  # generous: a loaded test machine must not turn slow replies into faults
        "options": {"retry_base_delay_s": 0.01},
    }
    return {**write_registry(tmp_path / "models.yaml", entry), "PARLOUR_FAULTS_KEY": SECRET}


def episodes(results: Path) -> list[Path]:
    return sorted((results / PAIR).glob("*/*/episode_*"))


def transcripts(results: Path) -> dict[str, object]:
    return {
        str(e.relative_to(results)): strip_volatile(json.loads((e / "interactions.json").read_text()))
        for e in episodes(results)
    }


def no_secret_under(results: Path, *outputs: str) -> bool:
    files = [p.read_text(errors="replace") for p in results.rglob("*") if p.is_file()]
    return not any(SECRET in text for text in [*files, *outputs])


def test_faults_at_concurrency_16_lose_nothing_and_change_no_transcript(tmp_path: Path) -> None:
    clean_server = FaultServer({}).start()
    faulty_server = FaultServer(spread(0.2), hang_s=6.0, trickle_s=0.05).start()
    clean, faulty = tmp_path / "clean", tmp_path / "faulty"
    try:
        reference = parlour_process(*RUN, "-r", str(clean), env=registry(tmp_path, clean_server.base_url, 0))
        assert reference.returncode == 0, reference.stderr
        # 16 episodes asked, 8 requests in flight at first: the user is told
        assert "more requests want to be in flight than its limit of 8" in reference.stderr
        # no retries: many episodes fail
        first = parlour_process(*RUN, "-r", str(faulty), env=registry(tmp_path, faulty_server.base_url, 0))
        planned = episodes(faulty)
        done = [e for e in planned if (e / "scores.json").is_file()]
        failed = [e for e in planned if (e / "error.json").is_file()]
        # retries are an operational setting (not in the spec hash): the rerun may use more
        rerun = parlour_process(*RUN, "-r", str(faulty), env=registry(tmp_path, faulty_server.base_url, 8))
    finally:
        clean_server.stop()
        faulty_server.stop()
    assert len(planned) == len(episodes(clean)) == 15
    assert failed and len(done) + len(failed) == len(planned)  # every episode played or recorded as an error
    assert first.returncode == 1
    assert rerun.returncode == 0, rerun.stderr
    assert not list(faulty.rglob("error.json"))
    assert transcripts(faulty) == transcripts(clean)
    assert set(faulty_server.injected) >= {"429", "500", "reset", "hang", "garbage", "empty", "trickle"}
    assert no_secret_under(faulty, first.stdout, first.stderr, rerun.stdout, rerun.stderr)


def test_a_server_echoing_the_key_never_gets_it_recorded(tmp_path: Path) -> None:
    server = FaultServer({"401_echo": 1.0}).start()
    results = tmp_path / "results"
    try:
        run = parlour_process(*RUN, "-r", str(results), env=registry(tmp_path, server.base_url, 5))
    finally:
        server.stop()
    assert no_secret_under(results, run.stdout, run.stderr)
    assert run.returncode == 1
    assert "HTTP 401" in run.stderr and "refused the credentials" in run.stderr
    # the requests sent before the first 401 came back (the starting limit), not one per episode
    assert server.requests <= 8
