"""A real browser: JupyterLab + headless system Chromium, driven by Playwright.

It opens a lesson, runs every cell, moves the first slider of the live dashboard with the
keyboard (as a learner would), and asserts that the rendered output changes. A second run breaks
the dashboards' callback inside the kernel first and shows that the same check then fails, so
the test can fail. A screenshot is saved for the CI log.

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

from course_lib.loopback import free_port

ROOT = Path(__file__).resolve().parents[1]
LESSON = os.environ.get("BROWSER_TEST_LESSON", "03_failover.ipynb")
FALLBACK_LESSON = "00_start_here.ipynb"
SCREENSHOTS = ROOT / "benchmarks" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("google-chrome") or shutil.which("chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
BREAK_CALLBACK = ("import course_lib.widgets as _w\n"
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


def _run_lesson_and_move_slider(url: str, *, break_callback: bool, shot: Path) -> tuple[str, str]:
    """Open the lesson, run all cells, move the first slider; return outputs before and after."""
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
            if break_callback:
                _run_code_in_new_cell(page, BREAK_CALLBACK)
            area = handle.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea')][1]")
            area.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=60_000)
            handle.scroll_into_view_if_needed()
            before = _settled(page, area)
            handle.scroll_into_view_if_needed()
            handle.focus()
            for _ in range(3):
                handle.press("ArrowRight")
            after = before
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and after == before:
                page.wait_for_timeout(250)
                after = _rendered(area)
            area.screenshot(path=str(shot))
            return before, after
        finally:
            browser.close()


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


def _run_code_in_new_cell(page, code: str) -> None:
    page.evaluate(
        """async (code) => {
            const app = window.jupyterapp;
            const panel = app.shell.currentWidget;
            panel.content.activeCellIndex = panel.content.widgets.length - 1;
            await app.commands.execute('notebook:insert-cell-below');
            panel.content.activeCell.model.sharedModel.setSource(code);
            await app.commands.execute('notebook:run-cell');
        }""",
        code,
    )
    page.wait_for_timeout(500)
    _wait_until_every_cell_ran(page)


def test_moving_a_slider_changes_the_rendered_dashboard(lab):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "dashboard_after_slider.png"
    before, after = _run_lesson_and_move_slider(lab, break_callback=False, shot=shot)
    print(f"screenshot: {shot}")
    assert hash(before) != hash(after), "the dashboard did not change after the slider moved"


def test_the_check_fails_when_the_callback_is_broken(lab):
    """The same check with the callback disabled in the kernel: the output must stay the same."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "dashboard_broken_callback.png"
    before, after = _run_lesson_and_move_slider(lab, break_callback=True, shot=shot)
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
