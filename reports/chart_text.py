"""Chart labels in the PDF drawn as whole strings, not one letter at a time.

WeasyPrint draws every SVG ``<text>`` letter by letter: one Pango layout, one line break
and one text object per character, so that it can honour per-letter ``x``/``dx``/``rotate``
lists. The report's four charts hold ~80 labels with ~700 letters; laying them out one by one
was 8 % of a warm render (77 ms of ~960 ms, measured by removing the labels).

Plotly's labels are the simple case: one ``x``, one ``y`` (and for the lines of a wrapped
label one ``dx``/``dy``), no per-letter lists, no ``textLength`` or letter spacing.
``install()`` puts a drawing function in front of WeasyPrint's that lays such a label out
once, as HTML text is, and hands every other text node (position lists, rotated letters,
text on a path) to WeasyPrint's own function unchanged.
Differences from letter-by-letter drawing: the font's kerning applies between letters, as
it does in the browser's chart, and the label is one text object in the PDF instead of one
per letter; positions, anchors and bounding boxes are computed the same way.

The style and positioning code below follows WeasyPrint's ``svg/text.py`` (WeasyPrint 70,
BSD 3-Clause licence, © Kozea) for the one-starting-point case.

If WeasyPrint's SVG module no longer looks as this expects, nothing is installed and
WeasyPrint draws as before (a warning is logged); tests/reports/test_chart_text.py fails
then, so an upgrade notices.
"""

import importlib
import logging
import threading
from math import inf

logger = logging.getLogger(__name__)

# Attributes that need WeasyPrint's per-letter drawing.
PER_LETTER = ("rotate", "textLength", "letter-spacing", "lengthAdjust")
# Positions: one value moves the whole label; a list places letters one by one.
POSITIONS = ("x", "y", "dx", "dy")

_installed = False
_lock = threading.Lock()


def install() -> bool:
    """Install the whole-string drawing for simple SVG labels (once per process). True if
    it is in place."""
    global _installed
    with _lock:
        if _installed:
            return True
        try:
            # The package's name ``text`` is the function, not the submodule: ask for
            # the submodule by its full name.
            svg_module = importlib.import_module("weasyprint.svg")
            original = importlib.import_module("weasyprint.svg.text").text
            if svg_module.TAGS.get("text") is not original or svg_module.text is not original:
                raise AttributeError("weasyprint.svg.TAGS does not map 'text' to text.text")
        except (AttributeError, ImportError):
            logger.warning("Chart labels drawn letter by letter: WeasyPrint's SVG text changed")
            return False
        draw = _whole_string_text(original)
        # draw_node() recognises text nodes by comparing TAGS entries with the module's
        # ``text``: both must name the new function, for every tag that used the old one.
        for tag, function in list(svg_module.TAGS.items()):
            if function is original:
                svg_module.TAGS[tag] = draw
        svg_module.text = draw
        _installed = True
        return True


def is_simple(node) -> bool:
    """A label (or one line of it, a ``tspan``) WeasyPrint would draw from one starting
    point: at most one value each for x, y, dx and dy, no per-letter adjustments."""
    if node.tag not in ("text", "tspan") or not node.text:
        return False
    attrib = node.attrib
    if any(name in attrib for name in PER_LETTER):
        return False
    for name in POSITIONS:
        value = attrib.get(name)
        if value is not None and len(value.replace(",", " ").split()) != 1:
            return False
    return True


def _whole_string_text(original):
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    def text(svg, node, font_size):
        if not is_simple(node):
            return original(svg, node, font_size)
        style = _style(svg, node, font_size)
        layout, _, _, width, height, baseline = split_first_line(
            node.text, style, svg.context, inf, 0
        )

        # The same positioning as WeasyPrint's text() gives its first letter.
        x, y, dx, dy = (
            size(normalize(node.attrib[name]).strip(), font_size, extent)
            if name in node.attrib
            else None
            for name, extent in zip(POSITIONS, (svg.inner_width, svg.inner_height) * 2, strict=True)
        )
        if x:
            svg.cursor_d_position[0] = 0
        if y:
            svg.cursor_d_position[1] = 0
        svg.cursor_d_position[0] += dx or 0
        svg.cursor_d_position[1] += dy or 0
        x = svg.cursor_position[0] if x is None else x
        y = svg.cursor_position[1] if y is None else y
        svg.cursor_position = x + width, y
        x_position = x + svg.cursor_d_position[0]
        y_position = y + svg.cursor_d_position[1] + _y_align(node, font_size, height)
        node.text_bounding_box = extend_bounding_box(
            node.text_bounding_box,
            (
                (x_position, y_position - baseline),
                (x_position + width, y_position - baseline + height),
            ),
        )

        svg.stream.push_state()
        fill, stroke = svg.set_graphical_state(node, font_size)
        svg.stream.begin_text()
        layout.reactivate(style)
        svg.fill_stroke(fill, stroke, text=True)
        box = TextBox(layout, style)
        box.baseline = baseline
        emojis = draw_first_line(
            svg.stream, box, "none", "none", Matrix(d=-1, e=x_position, f=y_position)
        )
        svg.stream.end_text()
        svg.stream.pop_state()
        draw_emojis(svg.stream, style, x, y, emojis)

    return text


def _style(svg, node, font_size):
    # As in WeasyPrint's text(): the initial values with the node's font.
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.svg.text import Style

    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    style["font_size"] = font_size
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    weight = node.get("font-weight", 400)
    if weight == "normal":
        weight = 400
    elif weight == "bold":
        weight = 700
    else:
        try:
            weight = int(weight)
        except ValueError:
            weight = 400
    style["font_weight"] = weight
    return style


def _y_align(node, font_size, height) -> float:
    # WeasyPrint's approximation of the baseline alignment, unchanged.
    ascent, descent = font_size * 0.8, font_size * 0.2
    display_anchor = node.get("display-anchor")
    alignment_baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if display_anchor == "middle":
        return -height / 2
    if display_anchor == "top":
        return 0
    if display_anchor == "bottom":
        return -height
    if alignment_baseline in ("central", "middle"):
        return (ascent + descent) / 2 - descent
    if alignment_baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        return ascent
    if alignment_baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        return -descent
    return 0
