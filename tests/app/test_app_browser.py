"""End to end in headless Chromium: the app as a user sees it (``videofill app`` in a child process, Selenium).

upload the sample -> draw a box -> tracked mask shown -> inpaint -> download, then the downloaded video is checked
(frame count, size, known pixels within codec error). Also: the page loads with no console errors, and a file that
is not a video gives one line in the page. Screenshots of each step go to the test's tmp folder, and to
``$VIDEOFILL_SCREENSHOTS`` when set (``scripts/app_screenshots.py`` sets it to ``docs/app``).
"""

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("gradio", reason="the app needs Gradio (pip install '.[app]')")
webdriver = pytest.importorskip("selenium.webdriver", reason="the browser test needs Selenium (pip install '.[test]')")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from videofill.io.masks import dilate_holes  # noqa: E402
from videofill.io.video import read_frames  # noqa: E402
from videofill.sample import render_sample  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                       reason="Chromium and chromedriver are not installed (scripts/setup.sh installs them as root)"),
]
SRC = Path(__file__).resolve().parents[2] / "src"
WIDTH = 1200  # browser window width (px); screenshots are shrunk to half


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app():
    """(url, process) of ``videofill app`` on a free port."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "videofill.cli", "app", "--port", str(port), "--max-upload-mb", "5"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("the app exited:\n" + proc.stdout.read())
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the app did not start within 90 s")
    yield url, proc
    proc.terminate()
    out, _ = proc.communicate(timeout=30)
    print(out)
    folder = Path(out.split("(files in ", 1)[1].split(",", 1)[0])
    assert folder.name.startswith("videofill-app-") and not folder.exists(), "the app left its folder behind"


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={WIDTH},2200"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


class Shots:
    """Numbered screenshots of the page: tmp folder always, $VIDEOFILL_SCREENSHOTS too when set."""

    def __init__(self, driver, folder: Path) -> None:
        self.driver, self.folders = driver, [folder]
        if os.environ.get("VIDEOFILL_SCREENSHOTS"):
            self.folders.append(Path(os.environ["VIDEOFILL_SCREENSHOTS"]))

    def __call__(self, name: str, element=None) -> None:
        png = (element or self.driver).screenshot_as_png if element is not None else self.driver.get_screenshot_as_png()
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        if element is None:  # down to the last control, not the empty window below it
            bottom = self.driver.execute_script("return document.querySelector('#downloads').getBoundingClientRect()"
                                                ".bottom + window.scrollY + 16")
            image = image[: max(200, min(image.shape[0], int(bottom)))]
        image = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_AREA)
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(folder / f"{name}.png"), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def _status(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "#status textarea, #status input").get_attribute("value") or ""


def _wait(condition, timeout: float, what: str, driver=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - element not there yet
            value = None
        if value:
            return value
        time.sleep(0.25)
    status = _status(driver) if driver is not None else "?"
    pytest.fail(f"timed out after {timeout} s waiting for {what} (status: {status!r})")


def _wait_status(driver, prefix: str, timeout: float) -> str:
    return _wait(lambda: _status(driver) if _status(driver).startswith(prefix) else None, timeout,
                 f"status {prefix!r}", driver)


def _click_image(driver, img, x: int, y: int) -> None:
    """Click pixel (x, y) of the image shown in ``img`` (its natural size may differ from the shown size)."""
    shown_w, shown_h, nat_w, nat_h, fit = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.width, r.height, arguments[0].naturalWidth,"
        " arguments[0].naturalHeight, getComputedStyle(arguments[0]).objectFit];", img)
    scale = min(shown_w / nat_w, shown_h / nat_h)  # object-fit: contain, centred
    if fit == "scale-down":
        scale = min(scale, 1.0)
    dx = (x + 0.5) * scale - nat_w * scale / 2
    dy = (y + 0.5) * scale - nat_h * scale / 2
    ActionChains(driver).move_to_element_with_offset(img, int(round(dx)), int(round(dy))).click().perform()


def _mark(driver, xy: tuple[int, int], expect: str, wait: float = 30, tries: int = 1) -> None:
    """Click pixel ``xy`` of the shown frame, then wait for the status to start with ``expect``. With ``tries`` > 1
    a click that got no answer within 10 s is repeated (the picture may be replaced by a late frame update just as
    it is clicked); only for answers that come at once (a first corner, not a box that is then tracked)."""
    for _ in range(tries):
        before = _status(driver)
        img = _wait(lambda: driver.find_element(By.CSS_SELECTOR, "#frame img"), 30, "the frame image", driver)
        _click_image(driver, img, *xy)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _status(driver) == before:
            time.sleep(0.25)
        if _status(driver) != before:
            break
    _wait_status(driver, expect, wait)


def _set_number(driver, elem_id: str, value: int) -> None:
    """Type ``value`` into the number box of the slider ``#elem_id``."""
    box = driver.find_element(By.CSS_SELECTOR, f"#{elem_id} input[type=number]")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.ENTER)


def _scrub(driver, frame: int) -> None:
    """Move the frame slider to ``frame`` and wait for the new frame to be shown."""
    before = driver.find_element(By.CSS_SELECTOR, "#frame img").get_attribute("src")
    _set_number(driver, "frame-slider", frame)
    _wait(lambda: driver.find_element(By.CSS_SELECTOR, "#frame img").get_attribute("src") != before, 30,
          f"frame {frame}", driver)
    time.sleep(1)  # let a second update of the same change land before clicking the picture


def test_app_end_to_end(app, browser, tmp_path):
    app_url, _ = app
    shots = Shots(browser, tmp_path / "shots")
    browser.get(app_url)
    _wait(lambda: browser.find_element(By.ID, "sample").is_displayed(), 60, "the page")
    time.sleep(1)
    shots("1_page")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], f"console errors on load: {errors}"

    # a file over --max-upload-mb (5 here): Gradio refuses the upload itself, with one line in an error toast
    big = tmp_path / "big.mp4"
    big.write_bytes(os.urandom(6 * 2**20))
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(big))
    toast = _wait(lambda: [e.text for e in browser.find_elements(By.CSS_SELECTOR, "[data-testid='toast-body']")
                           if "exceed the maximum allowed size" in e.text], 30, "the too-large toast", browser)
    assert "big.mp4" in toast[0] and "Traceback" not in toast[0]
    for close in browser.find_elements(By.CSS_SELECTOR, "[data-testid='toast-body'] button"):
        close.click()

    # a file that is not a video: one line in the page
    bad = tmp_path / "notes.txt"
    bad.write_text("not a video\n")
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(bad))
    message = _wait_status(browser, "error:", 60)
    assert "\n" not in message and "Traceback" not in message and "not a video" in message
    shots("2_not_a_video")

    # the sample, then a box around the blob on frame 0
    browser.find_element(By.ID, "sample").click()
    _wait_status(browser, "sample clip:", 120)
    browser.find_element(By.XPATH, "//*[@id='tracker']//label[contains(., 'flow')]").click()  # fast enough here
    browser.find_element(By.XPATH, "//*[@id='quality']//label[contains(., 'draft')]").click()
    frames, holes, truth = render_sample()
    _set_number(browser, "dilate", 4)
    for t in (0, 12, 23):  # a box on three frames: the flow tracker drifts over 24 frames from one
        if t:
            _scrub(browser, t)
        ys, xs = np.nonzero(holes[t])
        _mark(browser, (max(0, xs.min() - 4), max(0, ys.min() - 4)), f"frame {t}: first corner", tries=3)
        _mark(browser, (min(319, xs.max() + 4), min(175, ys.max() + 4)), "tracked:", wait=120)
    _wait(lambda: browser.find_element(By.CSS_SELECTOR, "#marked video").get_attribute("src"), 30, "the mask video")
    shots("3_tracked_mask")

    # inpaint, with the progress line, then the side-by-side and temporal slice
    browser.find_element(By.ID, "run").click()
    _wait_status(browser, "inpainting:", 60)
    shots("4_running")
    _wait_status(browser, "done:", 180)
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#downloads a[href]"), 30, "download links")
    time.sleep(1)
    shots("5_result")

    # download both files from the page's links
    links = {a.get_attribute("href").split("?")[0].rsplit("/", 1)[-1]: a.get_attribute("href")
             for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a[href]")}
    assert "result.mp4" in links and "masks.zip" in links, links
    video = tmp_path / "result.mp4"
    video.write_bytes(urllib.request.urlopen(links["result.mp4"], timeout=30).read())
    result = read_frames(video)
    assert result.shape == frames.shape  # 24 frames of 320x176
    with zipfile.ZipFile(io.BytesIO(urllib.request.urlopen(links["masks.zip"], timeout=30).read())) as archive:
        names = sorted(archive.namelist())
        assert len(names) == len(frames)
        tracked = np.stack([cv2.imdecode(np.frombuffer(archive.read(n), np.uint8), cv2.IMREAD_GRAYSCALE) > 127
                            for n in names])
    known = ~dilate_holes(tracked | holes, 4)
    error_known = np.abs(result.astype(float) - frames)[known].mean()
    assert error_known < 4.0, f"known pixels moved by {error_known:.2f} on average"  # H.264 at crf 18, twice
    gone = holes & tracked  # the masks of the zip are the dilated ones the run used
    error_hole = np.abs(result.astype(float) - truth)[gone].mean()
    blob = np.abs(frames.astype(float) - truth)[gone].mean()
    assert error_hole < 0.5 * blob, f"the blob is still there: {error_hole:.1f} vs {blob:.1f}"


def _workers(pid: int) -> list[int]:
    """Child processes of ``pid`` that are multiprocessing workers (an inpainting run)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(proc.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list the app's processes")
def test_closed_tab_stops_the_run(app, browser):
    app_url, proc = app
    browser.get(app_url)
    _wait(lambda: browser.find_element(By.ID, "sample").is_displayed(), 60, "the page")
    browser.find_element(By.ID, "sample").click()
    _wait_status(browser, "sample clip:", 120)
    browser.find_element(By.XPATH, "//*[@id='tracker']//label[contains(., 'flow')]").click()
    browser.find_element(By.XPATH, "//*[@id='quality']//label[contains(., 'better')]").click()  # a long run
    _, holes, _ = render_sample()
    ys, xs = np.nonzero(holes[0])
    _mark(browser, (xs.min(), ys.min()), "frame 0: first corner", tries=3)
    _mark(browser, (xs.max(), ys.max()), "tracked:", wait=120)
    browser.find_element(By.ID, "run").click()
    _wait_status(browser, "inpainting:", 60)
    assert _wait(lambda: _workers(proc.pid), 30, "the worker process")
    browser.get("about:blank")  # the tab goes away
    _wait(lambda: not _workers(proc.pid), 90, "the worker to be stopped after the tab closed")
