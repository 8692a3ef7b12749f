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


def browser_running() -> bool:
    """Whether this process has started its chart browser."""
    return _browser is not None


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


# ---------------------------------------------------------------------------------------
# Simplifying the exported SVG once, before it is cached.
#
# A plotly SVG has about three times as many elements as it draws: empty layer groups,
# groups that carry only a class, paths without data, a transparent click target per legend
# entry, and every presentation property in a style attribute. WeasyPrint builds a node for
# each element and parses each style attribute on every render (about a third of the time it
# spends on a chart outside the text). simplify_svg() removes what draws nothing and moves
# style declarations to the equivalent presentation attributes, which WeasyPrint treats the
# same way (style wins over an attribute of the same name; both are inherited alike). The
# drawing stays the same: every text, shape, transform, clip path and colour is kept.

SVG_NS = "http://www.w3.org/2000/svg"
_PREFIXES = {
    SVG_NS: "",
    "http://www.w3.org/1999/xlink": "xlink:",
    "http://www.w3.org/XML/1998/namespace": "xml:",
}
_GROUP = f"{{{SVG_NS}}}g"
_PATH = f"{{{SVG_NS}}}path"
_SHAPES = frozenset(
    f"{{{SVG_NS}}}{tag}"
    for tag in ("rect", "path", "circle", "ellipse", "line", "polyline", "polygon")
)
# Content that is not drawn where it stands (definitions, text runs): never pruned.
_NOT_DRAWN_HERE = frozenset(
    f"{{{SVG_NS}}}{tag}"
    for tag in (
        "defs",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "symbol",
        "linearGradient",
        "radialGradient",
        "filter",
        "text",
    )
)
# Attributes a child does not take over from its parent (as in WeasyPrint's SVG cascade).
NOT_INHERITED = frozenset(
    (
        "clip",
        "clip-path",
        "filter",
        "height",
        "id",
        "mask",
        "opacity",
        "overflow",
        "rotate",
        "stop-color",
        "stop-opacity",
        "style",
        "transform",
        "transform-origin",
        "viewBox",
        "width",
        "x",
        "y",
        "dx",
        "dy",
        "href",
        "{http://www.w3.org/1999/xlink}href",
    )
)


class _Unsupported(ValueError):
    """Markup simplify_svg() does not rewrite: the SVG is kept as it is."""


def simplify_svg(text: str) -> str:
    """The same drawing with fewer elements (see above). SVG that does not look like a plotly
    export (a <style> sheet, !important, foreign namespaces) is returned unchanged."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text)  # noqa: S314 - our own kaleido output, not user input
        if root.tag != f"{{{SVG_NS}}}svg" or root.find(f".//{{{SVG_NS}}}style") is not None:
            return text
        _style_to_attributes(root)
        _prune(root, _inherited({}, root.attrib), drawn=True)
        out: list[str] = []
        _serialise(root, out, root=True)
    except (ET.ParseError, _Unsupported):
        return text
    return "".join(out)


def _inherited(parent: dict, attrib: dict) -> dict:
    merged = {**parent, **attrib}
    return {key: value for key, value in merged.items() if key not in NOT_INHERITED}


def _style_to_attributes(element) -> None:
    style = element.attrib.pop("style", None)
    if style is None or not style.strip():
        return
    import tinycss2  # WeasyPrint's own CSS parser: the values come out as it reads them

    for item in tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration" or item.important:
            raise _Unsupported(style)
        if not item.name.startswith("-"):  # vendor prefixes: ignored by WeasyPrint too
            element.set(item.lower_name, tinycss2.serialize(item.value).strip())


def _is_zero(value: str | None) -> bool:
    try:
        return value is not None and float(value.removesuffix("px")) == 0
    except ValueError:
        return False


def _draws_nothing(element, attrs: dict) -> bool:
    """A shape with neither fill nor stroke, or a path without data."""
    if element.tag not in _SHAPES or "id" in element.attrib:
        return False
    if any(key.startswith("marker") for key in attrs):
        return False
    if element.tag == _PATH and not element.get("d", "").strip():
        return True
    no_fill = attrs.get("fill") == "none" or _is_zero(attrs.get("fill-opacity"))
    no_stroke = (
        attrs.get("stroke", "none") == "none"
        or _is_zero(attrs.get("stroke-opacity"))
        or _is_zero(attrs.get("stroke-width"))
    )
    return no_fill and no_stroke


def _prune(parent, inherited: dict, *, drawn: bool) -> None:
    kept = []
    for child in list(parent):
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        _style_to_attributes(child)
        attrs = {**inherited, **child.attrib}
        child_drawn = drawn and child.tag not in _NOT_DRAWN_HERE
        if child.tag != f"{{{SVG_NS}}}text":
            _prune(child, _inherited(inherited, child.attrib), drawn=child_drawn)
        if child.tag == _GROUP:
            if child.get("opacity") == "1":  # the initial value; opacity is not inherited
                del child.attrib["opacity"]
            if len(child) == 0 and "id" not in child.attrib:
                continue  # an empty layer
            if set(child.attrib) <= {"class"}:
                kept.extend(child)  # a group that only names a layer: its children stay
                continue
        if drawn and child.tag not in _NOT_DRAWN_HERE and _draws_nothing(child, attrs):
            continue
        kept.append(child)
    if kept != list(parent):
        parent[:] = kept


def _name(qualified: str) -> str:
    if not qualified.startswith("{"):
        return qualified
    namespace, local = qualified[1:].split("}", 1)
    if namespace not in _PREFIXES:
        raise _Unsupported(namespace)
    return _PREFIXES[namespace] + local


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    return (
        _escape(text)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _serialise(element, out: list[str], *, root: bool = False) -> None:
    name = _name(element.tag)
    out.append(f"<{name}")
    if root:
        out.append(f' xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink"')
    for key, value in element.attrib.items():
        out.append(f' {_name(key)}="{_escape_attribute(value)}"')
    if len(element) or element.text:
        out.append(">")
        if element.text:
            out.append(_escape(element.text))
        for child in element:
            _serialise(child, out)
        out.append(f"</{name}>")
    else:
        out.append("/>")
    if element.tail and not root:
        out.append(_escape(element.tail))
