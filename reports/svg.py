"""Plotly figures to SVG with kaleido 1.x and the system chromium.

One browser per process, started lazily on the first export and reused for every chart
after it (~2.5 s to start, ~0.2 s per chart). It is only ever started in the process that
exports: the background task worker (``db_worker``) or a management command, never at
import time and never in a web worker (a chromium costs ~440 MB, and kaleido is not
fork-safe). kaleido is not thread-safe either, so every export holds ``_LOCK``.

The browser runs in its own thread with its own asyncio loop; callers wait on a future with
a timeout, so a browser that dies makes the export fail with an error instead of hanging
the worker.
"""

import asyncio
import logging
import os
import shutil
import threading

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

START_TIMEOUT = 60  # seconds for chromium to start
EXPORT_TIMEOUT = 60  # seconds for one chart

_LOCK = threading.Lock()
_browser: "_Browser | None" = None

# Number of charts exported by this process (the benchmark and tests read it).
export_count = 0


class ChromiumMissing(RuntimeError):
    """No chromium on this machine: charts cannot be drawn."""

    def __init__(self) -> None:
        super().__init__(chromium_missing_message())


class ExportFailed(RuntimeError):
    """The browser started but could not draw a chart."""


def chromium_missing_message() -> str:
    return _("Chromium is needed to draw the charts: apt-get install chromium")


def browser_path() -> str | None:
    """settings.BROWSER_PATH if it is an executable, else chromium on PATH, else None."""
    configured = getattr(settings, "BROWSER_PATH", "")
    if configured and os.path.isfile(configured) and os.access(configured, os.X_OK):
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _Browser:
    """A kaleido browser driven from a private event loop thread."""

    def __init__(self, path: str) -> None:
        import kaleido
        import plotly.io

        # Without this every export warns "kopts argument is ignored".
        plotly.io.defaults.headers = None
        self._kaleido_cls = kaleido.Kaleido
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kaleido", daemon=True)
        self.thread.start()
        try:
            self.kaleido = self._run(self._open(path), START_TIMEOUT)
        except BaseException:
            self._stop_loop()
            raise

    async def _open(self, path: str):
        browser = self._kaleido_cls(n=1, timeout=EXPORT_TIMEOUT, mathjax=False, path=path)
        await browser.open()
        return browser

    def _run(self, coroutine, timeout: float):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def export(self, figure: dict, *, width: int, height: int) -> str:
        opts = {"format": "svg", "width": width, "height": height, "scale": 1}
        data = self._run(self.kaleido.calc_fig(figure, opts=opts), EXPORT_TIMEOUT + 5)
        return data.decode("utf-8")

    def close(self) -> None:
        try:
            self._run(self.kaleido.close(), 30)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()


def _get_browser() -> "_Browser":
    global _browser
    if _browser is None:
        path = browser_path()
        if path is None:
            raise ChromiumMissing
        _browser = _Browser(path)
    return _browser


def figure_to_svg(figure, *, width: int = 700, height: int | None = None) -> str:
    """Export one plotly figure (object or dict) to SVG text. Raises ChromiumMissing or
    ExportFailed with a message fit for the person who asked for the report."""
    global _browser, export_count
    data = figure if isinstance(figure, dict) else figure.to_plotly_json()
    height = height or data.get("layout", {}).get("height") or 400
    with _LOCK:
        try:
            svg = _get_browser().export(data, width=width, height=height)
        except ChromiumMissing:
            raise
        except Exception as error:
            # A browser that failed once is not trusted again: the next export starts anew.
            logger.exception("Chart export failed")
            broken, _browser = _browser, None
            if broken is not None:
                try:
                    broken.close()
                except Exception:
                    logger.warning("Closing the failed chart browser failed", exc_info=True)
            raise ExportFailed(
                _("The charts could not be drawn (%(error)s).")
                % {"error": str(error) or type(error).__name__}
            ) from error
        export_count += 1
    return svg


def shutdown() -> None:
    """Stop the browser of this process (management commands, tests)."""
    global _browser
    with _LOCK:
        if _browser is not None:
            broken, _browser = _browser, None
            broken.close()
