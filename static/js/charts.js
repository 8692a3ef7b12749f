/* Draws the plotly figures built in Python (assessments/figures.py). Each chart container
 * names the json_script element holding its figure.
 *
 * plotly.js (4.8 MB) is loaded with `async` (script#plotly-js): it no longer holds up
 * DOMContentLoaded, so the page, its numbers and its tables are ready at once and the
 * charts are drawn when plotly.js arrives. */
(function () {
  "use strict";
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
    var script = document.getElementById("plotly-js");
    if (script) { script.addEventListener("load", callback); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    whenPlotly(function () { draw(document); });
  });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
