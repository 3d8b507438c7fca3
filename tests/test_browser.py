"""A real browser: JupyterLab + headless system Chromium, driven by Playwright.

It opens a lesson, runs every cell, moves the first slider of the live dashboard with the
keyboard (as a learner would), and asserts that the rendered output changes. Then, in the same
page, it breaks the dashboards' callback inside the kernel, moves the slider back and shows that
the same check then fails, so the test can fail. Screenshots are saved for the CI log.

Needs Chromium (``apt-get install chromium``; .ci/run installs it) and never downloads a browser.
Notes on flags and JupyterLab options: ../shared/notes/notebook-testing.md.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_lib.core.loopback import free_port

ROOT = Path(__file__).resolve().parents[1]
LESSON = os.environ.get("BROWSER_TEST_LESSON", "03_failover.ipynb")
FALLBACK_LESSON = "00_start_here.ipynb"
SCREENSHOTS = ROOT / "benchmarks" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("google-chrome") or shutil.which("chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
BREAK_CALLBACK = ("import course_lib.ui.widgets as _w\n"
                  "_w.Dashboard.refresh = lambda self: None  # simulate a broken slider callback")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed: apt-get install chromium "
                       "(the real-browser test never downloads a browser)"),
]



@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 serving a *copy* of the notebooks (autosave must not touch ours)."""
    pytest.importorskip("playwright", reason="playwright not installed: make test installs it")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns("work", ".ipynb_checkpoints"))
    if (ROOT / "data").exists():
        shutil.copytree(ROOT / "data", root / "data")
    port = free_port()
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
            "--ip=127.0.0.1", f"--ServerApp.root_dir={root / 'notebooks'}",
            "--IdentityProvider.token=", "--ServerApp.password=",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
            "--ServerApp.disable_check_xsrf=True"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    env = {**os.environ, "PLOTLY_RENDERER": "plotly_mimetype",
           "JUPYTER_CONFIG_DIR": str(root / "cfg")}
    proc = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("JupyterLab did not start within 60 s") from None
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _lesson() -> str:
    return LESSON if (ROOT / "notebooks" / LESSON).exists() else FALLBACK_LESSON


def _move(page, handle, area, key: str, shot: Path, wait_s: float) -> tuple[str, str, float]:
    """The dashboard's rendering before and after three presses of ``key`` on the slider (given
    up to ``wait_s`` to change), and the seconds the change took to appear."""
    handle.scroll_into_view_if_needed()
    before = _settled(page, area)
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(3):
        handle.press(key)
    after, pressed = before, time.monotonic()
    while time.monotonic() < pressed + wait_s and after == before:
        page.wait_for_timeout(250)
        after = _rendered(area)
    took = time.monotonic() - pressed
    area.screenshot(path=str(shot))
    return before, after, took


def _run_lesson_and_move_slider(url: str, shots: tuple[Path, Path]) -> dict[str, tuple[str, str]]:
    """Open the lesson, run all cells, move the first slider; then break the dashboards'
    callback inside the kernel and move it back. Returns the renderings before and after each
    move: ``working`` and ``broken``. One run of the lesson serves both checks."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # ?reset: a fresh workspace, not the tabs an earlier test left open
            page.goto(f"{url}/lab/tree/{_lesson()}?reset", timeout=60_000)
            page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext"
                                   ".session && window.jupyterapp.shell.currentWidget"
                                   ".sessionContext.session.kernel", timeout=60_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            handle = page.locator(".jp-OutputArea .noUi-handle").first
            handle.wait_for(state="visible", timeout=120_000)
            _wait_until_every_cell_ran(page)
            area = handle.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea')][1]")
            area.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=60_000)
            *working, took = _move(page, handle, area, "ArrowRight", shots[0], wait_s=20)
            _execute_in_kernel(page, BREAK_CALLBACK)
            # Back (it surely moves), given five times as long as the working callback took.
            *broken, _ = _move(page, handle, area, "ArrowLeft", shots[1], wait_s=max(3, 5 * took))
            return {"working": tuple(working), "broken": tuple(broken)}
        finally:
            browser.close()


def _execute_in_kernel(page, code: str) -> None:
    """Run ``code`` in the lesson's kernel without adding a cell (the page does not scroll)."""
    page.evaluate(
        """async (code) => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const reply = await kernel.requestExecute({code: code}).done;
            if (reply.content.status !== 'ok') throw new Error(JSON.stringify(reply.content));
        }""",
        code,
    )


def _rendered(area) -> str:
    """What the dashboard drew: the figure's text, its data's SVG paths, the summary text.

    The slider's own read-out is left out on purpose: it changes even when the callback is
    broken, and the point is whether the *figure* followed the slider.
    """
    plot = area.locator(".js-plotly-plot").first
    paths = plot.locator(".scatterlayer path, .barlayer path")
    drawn = "|".join(paths.evaluate_all("els => els.map(e => e.getAttribute('d'))"))
    summary = "|".join(area.locator(".widget-html-content").all_text_contents())
    return (plot.text_content() or "") + drawn + summary


def _settled(page, area) -> str:
    """The dashboard's rendering once it has stopped changing (two reads 1 s apart agree)."""
    previous = _rendered(area)
    for _ in range(30):
        page.wait_for_timeout(1000)
        current = _rendered(area)
        if current == previous:
            return current
        previous = current
    raise AssertionError("the dashboard kept changing without any slider move")


def _wait_until_every_cell_ran(page) -> None:
    """Every code cell has an execution count and the kernel is idle.

    The kernel reports 'idle' between the cells of a run-all, so idleness alone is not enough.
    """
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const done = panel.content.widgets.every(
                c => c.model.type !== 'code' || c.model.executionCount !== null);
            return done && panel.sessionContext.session.kernel.status === 'idle';
        }""", timeout=240_000)


@pytest.fixture(scope="module")
def slider_moves(lab) -> dict[str, tuple[str, str]]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = (SCREENSHOTS / "dashboard_after_slider.png",
             SCREENSHOTS / "dashboard_broken_callback.png")
    moves = _run_lesson_and_move_slider(lab, shots)
    print(f"screenshots: {', '.join(map(str, shots))}")
    return moves


def test_moving_a_slider_changes_the_rendered_dashboard(slider_moves):
    before, after = slider_moves["working"]
    assert hash(before) != hash(after), "the dashboard did not change after the slider moved"


def test_the_check_fails_when_the_callback_is_broken(slider_moves):
    """The same check with the callback disabled in the kernel: the output must stay the same."""
    before, after = slider_moves["broken"]
    assert hash(before) == hash(after), \
        "a broken callback still changed the output: the check is blind"


def test_committed_figures_render_without_running_anything(lab):
    """A learner who only opens a lesson sees its stored plotly figures (no CDN, no kernel run)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{lab}/lab/tree/02_load_balancing.ipynb?reset", timeout=60_000)
            # Cells out of view are not laid out (JupyterLab's windowing): scroll to each figure.
            plots = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly")
            plots.first.wait_for(state="attached", timeout=60_000)
            try:
                plot = plots.first
                plot.scroll_into_view_if_needed(timeout=30_000)
                plot.locator(".scatterlayer path, .barlayer path").first.wait_for(
                    state="attached", timeout=30_000)
            finally:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / "committed_figures.png"))
        finally:
            browser.close()
