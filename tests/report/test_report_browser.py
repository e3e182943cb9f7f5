"""The report in headless Chromium from the file system: leaderboard, transcript browser, escaping.

Needs Debian's `chromium` and `chromium-driver` (the project's setup installs them). When they are
missing the tests fail with a message saying so; they never skip.
"""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_fixtures import EVIL_PAIR, PAYLOAD, RESULTS, build_results

from parlour.report.site import build_site

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail(
            "browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("headless browser tests need selenium: pip install -e '.[dev]'")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="parlour-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1000", f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _errors(driver) -> list[dict]:  # noqa: ANN001
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


@pytest.fixture(scope="module")
def site(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = build_results(tmp_path_factory.mktemp("results") / "results")
    out = tmp_path_factory.mktemp("site")
    build_site([results], out, n_boot=100)
    return out


def test_leaderboard_renders_and_sorts(driver, site: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    driver.get((site / "index.html").as_uri())
    rows = driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")
    assert len(rows) == 5
    names = [r.find_elements(By.TAG_NAME, "td")[1].text.splitlines()[0] for r in rows]
    assert "evil-model" in names
    scores = [float(r.find_elements(By.TAG_NAME, "td")[2].text.split()[0]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    header = driver.find_element(By.XPATH, "//table[@id='leaderboard']//th[text()='clemscore']")
    header.click()  # already descending: a click sorts ascending
    rows = driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")
    again = [float(r.find_elements(By.TAG_NAME, "td")[2].text.split()[0]) for r in rows]
    assert again == sorted(scores)
    assert "[" in rows[0].find_elements(By.TAG_NAME, "td")[2].text  # a CI is shown
    assert _errors(driver) == []


def test_transcript_browser_filters_and_escapes(driver, site: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get((site / "transcripts.html").as_uri() + f"#model={EVIL_PAIR}")
    visible = [li for li in driver.find_elements(By.CSS_SELECTOR, "#episodes li") if li.is_displayed()]
    assert len(visible) == 2
    assert "2 of" in driver.find_element(By.ID, "count").text
    Select(driver.find_element(By.NAME, "outcome")).select_by_value("aborted")
    visible = [li for li in driver.find_elements(By.CSS_SELECTOR, "#episodes li") if li.is_displayed()]
    assert len(visible) == 1 and "episode_1" in visible[0].text
    assert "outcome=aborted" in driver.current_url
    Select(driver.find_element(By.NAME, "outcome")).select_by_value("success")
    link = next(li for li in driver.find_elements(By.CSS_SELECTOR, "#episodes li") if li.is_displayed())
    link.find_element(By.TAG_NAME, "a").click()
    driver.switch_to.frame("viewer")
    messages = driver.find_elements(By.CSS_SELECTOR, ".msg")
    assert len(messages) == 5
    reply = driver.find_element(By.CSS_SELECTOR, ".msg.p1.from-player pre.text")
    assert reply.text == f"CLUE: {PAYLOAD}"  # shown as text, tags and all
    assert driver.find_elements(By.CSS_SELECTOR, ".chat script, .chat img") == []
    assert driver.execute_script("return window.__pwned === undefined")
    driver.switch_to.default_content()
    assert _errors(driver) == []


def test_a_malformed_hash_shows_every_episode(driver, site: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    driver.get((site / "transcripts.html").as_uri() + "#model=%")
    items = driver.find_elements(By.CSS_SELECTOR, "#episodes li")
    assert items and all(li.is_displayed() for li in items)
    assert f"{len(items)} of {len(items)} episodes" in driver.find_element(By.ID, "count").text
    assert _errors(driver) == []


def test_real_episode_renders_as_chat(driver, site: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    page = site / "transcripts" / "gpt-4-0613-t0.0--gpt-4-0613-t0.0" / "taboo" / "0_high_en" / "episode_0.html"
    driver.get(page.as_uri())
    p1 = driver.find_elements(By.CSS_SELECTOR, ".msg.p1")
    p2 = driver.find_elements(By.CSS_SELECTOR, ".msg.p2")
    gm = driver.find_elements(By.CSS_SELECTOR, ".msg.gm")
    assert p1 and p2 and gm
    assert "CLUE: A duty or task" in driver.page_source
    # Player 1 sits left of Player 2
    assert p1[0].location["x"] < p2[0].location["x"]
    assert _errors(driver) == []


def test_official_tables_report(driver, tmp_path: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    build_site([RESULTS / "results_v1.6.csv"], tmp_path, n_boot=10, svg=False)
    driver.get((tmp_path / "index.html").as_uri())
    assert len(driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")) == 61
    first = driver.find_element(By.CSS_SELECTOR, "#leaderboard tbody tr td:nth-child(2)").text
    assert first.startswith("gpt-4-turbo-2024-04-09")  # the top clemscore of v1.6 (58.30)
    driver.get((tmp_path / "analysis.html").as_uri())
    assert driver.find_element(By.CSS_SELECTOR, "#profiles img").get_attribute("naturalWidth") != "0"
    driver.get((tmp_path / "transcripts.html").as_uri())
    assert _errors(driver) == []


def test_official_leaderboard_with_your_rows(driver, site: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    driver.get((site / "index.html").as_uri())
    driver.find_element(By.LINK_TEXT, "Official leaderboard").click()
    assert driver.current_url.endswith("/official.html")
    rows = driver.find_elements(By.CSS_SELECTOR, "#official-board tbody tr")
    official = driver.find_elements(By.CSS_SELECTOR, "#official-board tbody tr.official")
    yours = driver.find_elements(By.CSS_SELECTOR, "#official-board tbody tr.yours")
    assert len(official) == 61 and len(yours) == 5 and len(rows) == 66
    assert {r.find_element(By.CSS_SELECTOR, "td.source").text for r in official} == {"official v1.6"}
    assert "evil-model" in {r.find_elements(By.TAG_NAME, "td")[1].text for r in yours}
    scores = [float(r.find_elements(By.TAG_NAME, "td")[3].text) for r in rows]
    assert scores == sorted(scores, reverse=True)
    driver.find_element(By.XPATH, "//table[@id='official-board']//th[text()='clemscore']").click()
    rows = driver.find_elements(By.CSS_SELECTOR, "#official-board tbody tr")
    assert [float(r.find_elements(By.TAG_NAME, "td")[3].text) for r in rows] == sorted(scores)
    figure = driver.find_element(By.CSS_SELECTOR, "#placement-figure img")
    assert int(figure.get_attribute("naturalWidth")) > 300
    placed = driver.find_elements(By.CSS_SELECTOR, "#placement tbody tr")
    assert len(placed) == 5
    assert all(r.find_elements(By.TAG_NAME, "td")[6].text.startswith("[") for r in placed
               if r.find_elements(By.TAG_NAME, "td")[2].text)  # fmt: skip
    assert _errors(driver) == []
