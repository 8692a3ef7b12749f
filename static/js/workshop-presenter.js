/* The shared screen: follows the room through workshop-live.js (pushed state, a one-second
 * state poll for the counts), redraws in place, and offers a full-screen mode (F). */
(function () {
  "use strict";
  var root = document.getElementById("ws-screen");
  var Live = window.CompassLive;
  if (!root || !Live || !window.fetch) { return; }
  var msg = root.dataset;
  var byId = function (id) { return document.getElementById(id); };

  function counts(data) {
    if (typeof data.participants === "number") { byId("ws-participants").textContent = String(data.participants); }
    if (typeof data.votes === "number") { byId("ws-votes").textContent = String(data.votes); }
  }

  function voices(data) {
    var list = byId("ws-voices");
    var texts = data.voices || [];
    // Append only the new ones, so the room sees them arrive.
    for (var i = list.children.length; i < texts.length; i += 1) {
      var li = document.createElement("li");
      li.textContent = texts[i];
      li.className = "is-entering";
      list.appendChild(li);
    }
    while (list.children.length > texts.length) { list.removeChild(list.lastChild); }
  }

  function apply(state) {
    counts(state);
    if (state.voices) { voices(state); }
    var changed = state.v !== msg.stateKey;
    msg.stateKey = state.v;
    var text = byId("ws-q-text");
    var meta = byId("ws-q-meta");
    var question = state.question;
    if (state.status !== "open") {
      text.textContent = msg.msgClosed;
      meta.textContent = "";
      byId("ws-voting").hidden = true;
      byId("ws-results").hidden = true;
      byId("ws-prompt-panel").hidden = true;
      return;
    }
    if (!question) { return; }
    meta.textContent = Live.fill(msg.msgPosition, { n: question.position, total: question.total }) +
      " · " + Live.pick(question.section) + " · " + Live.fill(msg.msgRound, { r: state.round });
    text.textContent = Live.pick(question.text);
    text.dataset.code = question.code;
    text.dataset.round = String(state.round);
    var labels = Live.pick(question.labels) || [];
    byId("ws-scale").querySelectorAll("li:not(.dk) .lbl").forEach(function (el, i) { el.textContent = labels[i] || ""; });
    byId("ws-bars").querySelectorAll("li[data-value] .lbl").forEach(function (el) {
      var value = el.closest("li").dataset.value;
      if (value !== "dk") { el.textContent = labels[Number(value)] || ""; }
    });
    root.dataset.phase = state.phase;

    var prompt = state.prompt;
    var panel = byId("ws-prompt-panel");
    panel.hidden = !prompt;
    if (prompt) {
      byId("ws-prompt-text").textContent = prompt.text;
      byId("ws-prompt-section").textContent = Live.pick(prompt.section);
    }
    byId("ws-voting").hidden = !!prompt || state.phase !== "voting";
    var results = byId("ws-results");
    var reveal = state.reveal;
    results.hidden = !!prompt || !reveal;
    if (reveal) {
      var r = reveal.current;
      byId("ws-results-h").textContent = Live.fill(msg.msgResult, { n: reveal.round });
      Live.bars(byId("ws-bars"), r);
      byId("ws-n").textContent = String(r.votes);
      byId("ws-mean").textContent = Live.num(r.mean);
      byId("ws-agreement").textContent = Live.pct(r.agreement);
      byId("ws-groups-box").hidden = !r.groups;
      byId("ws-groups-hidden").hidden = !!r.groups;
      if (r.groups) {
        byId("ws-g-business").textContent = Live.num(r.groups.business.mean);
        byId("ws-g-it").textContent = Live.num(r.groups.it.mean);
        byId("ws-g-gap").textContent = Live.num(r.groups.gap);
      }
      var change = byId("ws-change");
      change.hidden = !reveal.first;
      if (reveal.first) {
        change.textContent = Live.fill(msg.msgChange, { a1: Live.pct(reveal.first.agreement), a2: Live.pct(r.agreement) });
        if (reveal.agreement_change !== null) {
          var strong = document.createElement("strong");
          strong.textContent = Live.signedPp(reveal.agreement_change, msg.msgPp);
          change.append(" (" + msg.msgChangeBy + " ", strong, ")");
        }
      }
    }
    if (changed) { Live.enter(byId("ws-stage-main") || root.querySelector(".ws-stage-main")); }
  }

  Live({
    stateUrl: msg.stateUrl,
    eventsUrl: msg.eventsUrl,
    pollMs: 1000,
    alwaysPoll: true, // one screen: the counts each second, and the trailing count push
    onState: apply,
    onCounts: counts,
    onVoices: voices
  });

  // Full screen (Fullscreen API): the button, or the F key.
  var button = byId("ws-fullscreen");
  function toggle() {
    if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
  }
  if (document.fullscreenEnabled && button) {
    button.hidden = false;
    button.addEventListener("click", toggle);
    document.addEventListener("keydown", function (event) {
      if ((event.key === "f" || event.key === "F") && !event.ctrlKey && !event.metaKey && !event.altKey) { toggle(); }
    });
    document.addEventListener("fullscreenchange", function () { button.hidden = !!document.fullscreenElement; });
  }
})();
