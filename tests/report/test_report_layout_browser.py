"""The report as a reader first sees it, in headless Chromium at 1280 px: the leaderboard of all seven games
without horizontal scrolling, a figure on the front page, the transcript browser open on a transcript, the
model's spec as a table; and the divergence figure's percentage axis ending at 100."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from test_report_browser import CHROMEDRIVER, CHROMIUM

import parlour
from parlour.analysis import figures
from parlour.report.site import build_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("results")
    for models in (["programmatic:oracle"], ["programmatic:breaker"], ["programmatic:oracle", "programmatic:breaker"]):
        parlour.run(["all"], models, results=results, limit=1)
    out = tmp_path_factory.mktemp("site")
    build_site([results], out, n_boot=50)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("browser tests need Debian's chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={tempfile.mkdtemp(prefix='parlour-chromium-')}"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1280, 900)
    try:
        yield driver
    finally:
        driver.quit()


def test_the_leaderboard_fits_1280_px_and_the_front_page_has_a_figure(browser, site: Path) -> None:  # noqa: ANN001
    browser.get((site / "index.html").as_uri())
    board = browser.execute_script(
        "const s = document.querySelector('.scroll'); return [s.scrollWidth, s.clientWidth];"
    )
    assert board[0] <= board[1], f"the leaderboard scrolls: {board}"
    headers = browser.execute_script("return document.querySelectorAll('#leaderboard th.game').length")
    assert headers == 7
    loaded = browser.execute_script("const i = document.querySelector('figure.front img'); return i && i.naturalWidth")
    assert loaded and loaded > 100


def test_the_transcript_browser_opens_on_the_first_transcript(browser, site: Path) -> None:  # noqa: ANN001
    browser.get((site / "transcripts.html").as_uri())
    shown = browser.execute_script("return document.getElementById('viewer').getAttribute('src')")
    first = browser.execute_script("return document.querySelector('#episodes li a').getAttribute('href')")
    assert shown == first and shown.startswith("transcripts/")
    assert browser.execute_script("return document.querySelector('#episodes li').classList.contains('active')")


def test_the_model_page_shows_the_spec_as_a_table(browser, site: Path) -> None:  # noqa: ANN001
    page = next((site / "models").glob("programmatic-oracle-t0.0--programmatic-oracle-t0.0*.html"))
    browser.get(page.as_uri())
    fields = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.spec th')).map(th => th.textContent)"
    )
    assert {"name", "backend", "spec_hash"} <= set(fields)
    assert not browser.execute_script("return document.querySelector('details').open")  # the raw dump is folded


def test_the_divergence_axis_ends_at_100(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    drawn = []
    monkeypatch.setattr(figures, "save", lambda fig, path, **_: drawn.append(fig) or [path])
    summary = pd.DataFrame(
        {"model_a": ["a-t0.0--a-t0.0"], "model_b": ["b-t0.0--b-t0.0"], "first_reply_identical": [100.0],
         "identical": [100.0], "episodes": [6], "score_diff_diverged": [0.0]}
    )  # fmt: skip
    figures.divergence_figure(summary, tmp_path / "d.png")
    [ax] = drawn[0].axes
    assert ax.get_ylim() == (0.0, 100.0)
