"""Chart labels drawn as whole strings (reports/chart_text.py): installed over WeasyPrint's
letter-by-letter drawing, placed where WeasyPrint would place them, and only for labels
without per-letter positions."""

import importlib
import re
import subprocess
from types import SimpleNamespace

import pytest
import weasyprint

from reports import chart_text

svg_module = importlib.import_module("weasyprint.svg")
ORIGINAL = importlib.import_module("weasyprint.svg.text").text

LABELS_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">
<text x="20" y="30" font-family="DejaVu Sans" font-size="12px">Start Wave Tabelle</text>
<text x="200" y="70" text-anchor="middle" font-family="DejaVu Sans" font-size="12px"
  fill="rgb(31, 41, 51)">Business-IT-Fusion / Konvergenz</text>
<text x="380" y="110" text-anchor="end" font-family="DejaVu Sans" font-size="10px"
  font-weight="bold">78 % AV</text>
<text x="200" y="150" text-anchor="middle" font-family="DejaVu Sans" font-size="12px"
  ><tspan x="200" dy="0em">Digital Twin of the</tspan><tspan x="200" dy="1.3em"
  >Organization (DTO)</tspan></text>
<text x="20 40 60" y="190" font-family="DejaVu Sans" font-size="12px">abc</text>
</svg>"""


def words(pdf_bytes, tmp_path, name):
    """(text, xMin, yMin, xMax, yMax) of every word, from poppler's pdftotext."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf_bytes)
    output = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        (match[5], *(float(match[i]) for i in range(1, 5)))
        for match in re.finditer(pattern, output)
    ]


def render(svg_text):
    html = f"<style>@page {{ margin: 0 }} body {{ margin: 0 }}</style>{svg_text}"
    return weasyprint.HTML(string=html).write_pdf()


def test_install_puts_one_function_in_front_of_every_text_tag():
    assert chart_text.install()
    assert chart_text.install()  # a second call changes nothing
    drawing = svg_module.TAGS["text"]
    assert drawing is not ORIGINAL
    # draw_node() tells text nodes by comparing TAGS entries with the module's ``text``.
    assert svg_module.text is drawing
    assert {svg_module.TAGS[tag] for tag in ("text", "tspan", "textPath", "a")} == {drawing}


def test_labels_land_where_letter_by_letter_drawing_puts_them(tmp_path, monkeypatch):
    chart_text.install()
    fast = words(render(LABELS_SVG), tmp_path, "fast")
    with monkeypatch.context() as patch:
        for tag, function in list(svg_module.TAGS.items()):
            if function is svg_module.text:
                patch.setitem(svg_module.TAGS, tag, ORIGINAL)
        patch.setattr(svg_module, "text", ORIGINAL)
        slow = words(render(LABELS_SVG), tmp_path, "slow")
    assert [w[0] for w in fast] == [w[0] for w in slow]
    assert [w[0] for w in fast][:6] == [
        "Start",
        "Wave",
        "Tabelle",
        "Business-IT-Fusion",
        "/",
        "Konvergenz",
    ]
    for fast_word, slow_word in zip(fast, slow, strict=True):
        # Same baselines. Horizontally, whole strings are kerned ("Wa", "Ta", "AV") where
        # letter-by-letter drawing is not, so words move by up to ~2 pt in a 20-letter label.
        assert fast_word[2] == pytest.approx(slow_word[2], abs=0.01)
        assert fast_word[4] == pytest.approx(slow_word[4], abs=0.01)
        assert fast_word[1] == pytest.approx(slow_word[1], abs=2.5)
        assert fast_word[3] == pytest.approx(slow_word[3], abs=2.5)

    def spans(found):
        by_text = {w[0]: w for w in found}
        return {
            "start": by_text["Start"][1],
            "middle": (by_text["Business-IT-Fusion"][1] + by_text["Konvergenz"][3]) / 2,
            "end": by_text["AV"][3],
            "line 1": (by_text["Digital"][1] + by_text["the"][3]) / 2,
            "line 2": (by_text["Organization"][1] + by_text["(DTO)"][3]) / 2,
            "line spacing": by_text["Organization"][2] - by_text["Digital"][2],
        }

    # The anchor points do not move: start at x = 20 px, centred on 200 px, ending at 380 px
    # (0.75 pt per px); the two lines of the wrapped label are centred and 1.3 em apart.
    assert spans(fast) == pytest.approx(spans(slow), abs=0.05)
    assert spans(fast) == pytest.approx(
        {
            "start": 15,
            "middle": 150,
            "end": 285,
            "line 1": 150,
            "line 2": 150,
            "line spacing": 1.3 * 12 * 0.75,
        },
        abs=0.05,
    )


@pytest.mark.parametrize(
    ("attrib", "text", "simple"),
    [
        ({"x": "10", "y": "20"}, "Label", True),
        ({}, "Label", True),
        ({"x": "10 20", "y": "20"}, "Label", False),
        ({"x": "10,20", "y": "20"}, "Label", False),
        ({"x": "10", "dx": "2", "dy": "1.3em"}, "Label", True),
        ({"x": "10", "dy": "0 4"}, "Label", False),
        ({"x": "10", "rotate": "15"}, "Label", False),
        ({"x": "10", "textLength": "80"}, "Label", False),
        ({"x": "10", "letter-spacing": "2"}, "Label", False),
        ({"x": "10"}, "", False),
    ],
)
def test_is_simple_only_for_one_starting_point_without_per_letter_settings(attrib, text, simple):
    for tag in ("text", "tspan"):
        assert chart_text.is_simple(SimpleNamespace(tag=tag, text=text, attrib=attrib)) is simple


def test_is_simple_leaves_text_on_a_path_to_weasyprint():
    assert not chart_text.is_simple(SimpleNamespace(tag="textPath", text="Kurve", attrib={}))


def test_install_leaves_weasyprint_alone_when_its_svg_text_changed(monkeypatch, caplog):
    monkeypatch.setattr(chart_text, "_installed", False)
    monkeypatch.setitem(svg_module.TAGS, "text", lambda svg, node, font_size: None)
    assert chart_text.install() is False
    assert "letter by letter" in caplog.text
