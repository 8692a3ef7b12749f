/* Draws the plotly figures built in Python (assessments/figures.py). Each chart container
 * names the json_script element holding its figure.
 *
 * plotly.js (4.8 MB) is not in the page's blocking path: where this script's tag names it
 * (data-plotly), it is added after DOMContentLoaded, so the page, its numbers and its
 * tables are ready at once and the charts are drawn when plotly.js has run. (An `async`
 * tag is not enough: a script that arrives while the page is parsed runs right then and
 * holds up the parser.) Pages that load plotly.js themselves (defer) draw at once. */
(function () {
  "use strict";
  var plotlySrc = document.currentScript ? document.currentScript.dataset.plotly : null;
  function draw(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.figure);
      if (!source || el.dataset.drawn) { return; }
      var figure = JSON.parse(source.textContent);
      el.dataset.drawn = "1";
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        displayModeBar: false, responsive: true, staticPlot: true
      });
    });
  }
  function whenPlotly(callback) {
    if (window.Plotly) { callback(); return; }
    if (!plotlySrc || !document.querySelector("[data-figure]")) { return; }
    var script = document.createElement("script");
    script.src = plotlySrc;
    script.addEventListener("load", callback);
    document.head.appendChild(script);
  }
  document.addEventListener("DOMContentLoaded", function () {
    whenPlotly(function () { draw(document); });
  });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
