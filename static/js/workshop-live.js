/* Live state of a workshop room for the phone and the shared screen.
 *
 * With a push engine (Pushpin) in front, an EventSource receives "state", "counts" and
 * "voices" events; every (re)connection first reads the state endpoint, so nothing missed
 * while disconnected stays missing. Without one the stream endpoint answers 204, the browser
 * closes the EventSource, and the page polls the state endpoint instead (and tries the
 * stream again now and then).
 *
 *   CompassLive({ stateUrl, eventsUrl, pollMs, alwaysPoll, onState, onCounts, onVoices,
 *                 onRejoin })
 */
(function () {
  "use strict";

  window.CompassLive = function (options) {
    var source = null;
    var pollTimer = null;
    var resyncTimer = null;
    var reconnectTimer = null;
    var pollMs = options.pollMs || 2000;
    var stopped = false;

    function readState() {
      return fetch(options.stateUrl, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.status === 403 && options.onRejoin) {
          return response.json().then(options.onRejoin);
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json().then(function (state) {
          if (!stopped) { options.onState(state, "read"); }
        });
      }).catch(function () { /* next poll or next event */ });
    }

    function startPolling() {
      if (pollTimer || stopped) { return; }
      // A room whose stream broke at once must not poll in step: start at a random moment.
      pollTimer = setTimeout(function () {
        readState();
        pollTimer = setInterval(readState, pollMs);
      }, Math.random() * pollMs);
    }
    function stopPolling() {
      if (options.alwaysPoll || !pollTimer) { return; }
      clearTimeout(pollTimer);
      clearInterval(pollTimer);
      pollTimer = null;
    }

    function listen(name, handler) {
      source.addEventListener(name, function (event) {
        if (stopped || !handler) { return; }
        try { handler(JSON.parse(event.data)); } catch (e) { readState(); }
      });
    }

    function connect() {
      if (stopped) { return; }
      if (!window.EventSource || !options.eventsUrl) { startPolling(); return; }
      source = new EventSource(options.eventsUrl);
      source.addEventListener("stream-open", function () {
        // Connected (again): resync the whole state, then rely on the pushes.
        document.documentElement.dataset.live = "push";
        stopPolling();
        readState();
      });
      listen("state", function (state) { options.onState(state, "push"); });
      listen("counts", options.onCounts);
      listen("voices", options.onVoices);
      source.onerror = function () {
        if (source && source.readyState === 2) {
          // Closed for good (no push engine: 204): poll, and try the stream again later.
          document.documentElement.dataset.live = "poll";
          startPolling();
          source = null;
          setTimeout(connect, 20000 + Math.random() * 20000);
          return;
        }
        // Dropped: the browser reconnects by itself and resyncs on "stream-open". Poll only
        // if that takes a while (the push engine restarting), so a room does not turn into
        // a burst of polls every time its streams break together.
        if (reconnectTimer) { return; }
        reconnectTimer = setTimeout(function () {
          reconnectTimer = null;
          if (!stopped && (!source || source.readyState !== 1)) {
            document.documentElement.dataset.live = "poll";
            startPolling();
          }
        }, 5000 + Math.random() * 5000);
      };
    }

    if (options.alwaysPoll) { startPolling(); }
    connect();
    // A safety net for a push lost between two servers: a slow resync while streaming.
    resyncTimer = setInterval(function () { if (!pollTimer) { readState(); } }, 60000 + Math.random() * 30000);

    return {
      read: readState,
      stop: function () {
        stopped = true;
        if (source) { source.close(); }
        if (pollTimer) { clearTimeout(pollTimer); clearInterval(pollTimer); }
        if (reconnectTimer) { clearTimeout(reconnectTimer); }
        clearInterval(resyncTimer);
      }
    };
  };

  var lang = (document.documentElement.lang || "en").slice(0, 2) === "de" ? "de" : "en";
  var fmt2 = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // Whole percentages, as the server renders them (assessments.formatting.pct, signed_pp).
  var fmt0 = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  window.CompassLive.lang = lang;
  window.CompassLive.pick = function (both) { return both ? (both[lang] || both.en) : ""; };
  window.CompassLive.num = function (value) { return value === null || value === undefined ? "–" : fmt2.format(value); };
  window.CompassLive.pct = function (value) { return value === null || value === undefined ? "–" : fmt0.format(value * 100) + " %"; };
  window.CompassLive.signedPp = function (value, unit) {
    if (value === null || value === undefined) { return "–"; }
    var rounded = Math.round(value * 100);  // the sign of what is shown, as the server does
    var sign = rounded > 0 ? "+" : (rounded < 0 ? "−" : "±");
    return sign + fmt0.format(Math.abs(rounded)) + " " + unit;
  };
  window.CompassLive.fill = function (template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  };
  // Replays the entrance animation of an element (CSS .is-entering) on a state change.
  window.CompassLive.enter = function (el) {
    if (!el) { return; }
    el.classList.remove("is-entering");
    void el.offsetWidth; // restart the animation
    el.classList.add("is-entering");
  };
  window.CompassLive.bars = function (list, current) {
    if (!list) { return; }
    var top = current ? Math.max(current.votes, 1) : 1;
    list.querySelectorAll("li[data-value]").forEach(function (row) {
      var value = row.dataset.value;
      var n = current ? (value === "dk" ? current.dont_know : current.distribution[Number(value)]) : 0;
      var bar = row.querySelector("progress");
      bar.max = top;
      bar.value = n;
      var label = row.querySelector(".ws-bar-label");
      bar.setAttribute("aria-label", (label ? label.textContent.trim() : value) + ": " + n);
      row.querySelector(".ws-bar-n").textContent = String(n);
    });
  };
})();
