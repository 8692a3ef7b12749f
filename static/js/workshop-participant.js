/* Workshop participant: every vote goes through the never-lose queue of answer-queue.js
 * (kept in localStorage, retried until the server confirms), keyed by question and round.
 * Facilitator-paced: the room's state arrives pushed (workshop-live.js) and the question card
 * is redrawn in place, with the next question's texts from the push (no reload).
 * Self-paced: "previous"/"next" switch questions on the page, so answering goes on offline. */
(function () {
  "use strict";
  var root = document.getElementById("ws-participant");
  if (!root || !window.fetch || !window.localStorage || !window.CompassAnswerQueue) { return; }
  var Live = window.CompassLive;

  var msg = root.dataset;
  var syncState = document.getElementById("ws-sync");
  var rejoin = false;

  var setState = window.CompassAnswerQueue.showState;
  function updateSync(kind) {
    var n = queue.pending();
    root.classList.toggle("has-pending", n > 0);
    if (kind === "rejoin" || rejoin) {
      syncState.textContent = msg.msgRejoin;
      syncState.className = "sync-state is-offline";
    } else if (kind === "offline") {
      syncState.textContent = msg.msgOffline + " (" + n + " " + msg.msgPending + ")";
      syncState.className = "sync-state is-offline";
    } else if (n > 0) {
      syncState.textContent = n + " " + msg.msgPending;
      syncState.className = "sync-state is-pending";
    } else {
      syncState.textContent = msg.msgAllSaved;
      syncState.className = "sync-state is-saved";
    }
  }

  var queue = window.CompassAnswerQueue({
    url: msg.voteUrl,
    storeKey: msg.storeKey,
    root: root,
    body: function (entry) {
      var body = new URLSearchParams(); // url-encoded: cheaper for the server to parse than multipart
      body.append("question", entry.question);
      body.append("round", entry.round);
      body.append("value", entry.value);
      return body;
    },
    report: function (kind, entry, data) {
      if (kind === "sending") {
        setState(entry.question, msg.msgSending, "pending");
      } else if (kind === "saved") {
        setState(entry.question, msg.msgReceived, "saved");
      } else if (kind === "refused") {
        setState(entry.question, msg.msgRefused + ": " + ((data && data.error) || ""), "error");
      } else if (kind === "hold") {
        // Kept, but not sent under the new identity after joining again on this device.
        rejoin = true;
      } else {
        setState(entry.question, msg.msgRetry, "pending");
      }
      var state = "";
      if (kind === "hold") { state = "rejoin"; } else if (kind === "retry" || kind === "signin") { state = "offline"; }
      updateSync(state);
    }
  });

  function enqueue(form) {
    var checked = form.querySelector("input[name=value]:checked");
    if (!checked) { return; }
    var code = form.dataset.code;
    var round = form.dataset.round;
    queue.add(code + ":" + round, { question: code, round: round, value: checked.value });
  }

  function formOf(code, round) {
    return root.querySelector("form.ws-vote[data-code='" + code + "'][data-round='" + round + "']");
  }

  // Restore votes that were not confirmed before a reload or a crash.
  queue.entries().forEach(function (entry) {
    var form = formOf(entry.question, entry.round);
    if (!form) { return; }
    var radio = form.querySelector("input[name=value][value='" + entry.value + "']");
    if (radio) { radio.checked = true; }
    setState(entry.question, msg.msgRetry, "pending");
  });

  root.addEventListener("change", function (event) {
    var form = event.target.closest("form.ws-vote");
    if (form && event.target.name === "value") { enqueue(form); }
  });
  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form.ws-vote");
    if (!form) { return; }
    event.preventDefault();
    enqueue(form);
  });

  // Self-paced: move between questions on the page (works offline); the URL keeps the
  // position so a reload continues here.
  function show(code) {
    var target = document.getElementById("item-" + code);
    if (!target) { return false; }
    root.querySelectorAll(".ws-item.is-current").forEach(function (el) {
      el.classList.remove("is-current");
    });
    target.classList.add("is-current");
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?q=" + encodeURIComponent(code));
    }
    var heading = target.querySelector("legend, h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
    return true;
  }
  root.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-goto]");
    if (link && show(link.dataset.goto)) { event.preventDefault(); }
  });

  root.classList.add("js-autosave");
  queue.flush();
  if (queue.pending() > 0) { updateSync(); }

  // ------------------------------------------------------------ live state of the room
  if (!Live) { return; }
  var selfPaced = msg.mode === "self";
  var byId = function (id) { return document.getElementById(id); };

  function plural(base, n) {
    return Live.fill(n === 1 ? msg[base + "One"] : msg[base + "Other"], { n: n });
  }
  function showCounts(counts) {
    if (typeof counts.participants === "number") {
      byId("ws-participants").textContent = plural("msgParticipants", counts.participants);
      byId("ws-participants").dataset.count = counts.participants;
    }
    if (typeof counts.votes === "number" && byId("ws-votes")) {
      byId("ws-votes").textContent = plural("msgVoted", counts.votes);
      byId("ws-votes").dataset.count = counts.votes;
    }
  }

  // Redraw the facilitator-paced question card for another question or round.
  function drawCard(item, question, round, mine) {
    var oldCode = item.dataset.code;
    var code = question.code;
    var form = item.querySelector("form.ws-vote");
    item.id = "item-" + code;
    item.dataset.code = code;
    item.setAttribute("aria-labelledby", "legend-" + code);
    form.dataset.code = code;
    form.dataset.round = String(round);
    form.querySelector("input[name=question]").value = code;
    form.querySelector("input[name=round]").value = String(round);
    var legend = form.querySelector("legend");
    legend.id = "legend-" + code;
    legend.querySelector(".ws-q-code").textContent = code;
    legend.querySelector(".ws-q-round").textContent = round > 1 ? " · " + Live.fill(msg.msgRound, { r: round }) : "";
    legend.querySelector(".ws-q-body").textContent = Live.pick(question.text);
    var labels = Live.pick(question.labels) || [];
    form.querySelectorAll(".option").forEach(function (option) {
      var input = option.querySelector("input");
      var label = option.querySelector("label");
      var value = input.value;
      input.id = "v-" + code + "-" + value;
      label.htmlFor = input.id;
      var text = label.querySelector(".lbl");
      if (text && value !== "dk") { text.textContent = labels[Number(value)] || ""; }
      var pending = queue.entries().filter(function (e) { return e.question === code && String(e.round) === String(round); })[0];
      input.checked = pending ? pending.value === value : mine === value;
    });
    var closed = form.querySelector(".ws-closed");
    closed.id = "closed-" + code;
    var state = form.querySelector(".save-state");
    state.id = "state-" + code;
    state.textContent = mine ? msg.msgReceived : "";
    state.className = "save-state small mb-0 mt-1" + (mine ? " is-saved" : "");
    return oldCode !== code;
  }

  function applyState(state, how) {
    showCounts(state);
    var votesWrap = byId("ws-votes-wrap");
    if (state.status !== "open") {
      root.querySelectorAll(".ws-item, #ws-results, #ws-open, #ws-waiting").forEach(function (el) { el.hidden = true; });
      if (votesWrap) { votesWrap.hidden = true; }
      byId("ws-ended").hidden = false;
      live.stop();
      return;
    }
    if (selfPaced) {
      // Self-paced pages change only when a round is revealed or re-opened: reload then.
      if (state.v !== root.dataset.stateKey) { window.location.reload(); }
      return;
    }
    var item = root.querySelector(".ws-item");
    var waiting = byId("ws-waiting");
    var openPanel = byId("ws-open");
    var results = byId("ws-results");
    if (!item || !state.question) {
      if (waiting) { waiting.hidden = !!item && !!state.question; }
      if (!item && state.question) { window.location.reload(); }
      return;
    }
    var changed = state.v !== root.dataset.stateKey;
    root.dataset.stateKey = state.v;
    var form = item.querySelector("form.ws-vote");
    var newCard = form.dataset.code !== state.question.code || form.dataset.round !== String(state.round);
    if (newCard) {
      drawCard(item, state.question, state.round, state.mine || null);
    } else if (how === "read" && state.mine && !queue.entries().length) {
      var radio = form.querySelector("input[name=value][value='" + state.mine + "']");
      if (radio && !radio.checked) { radio.checked = true; setState(state.question.code, msg.msgReceived, "saved"); }
    }
    var voting = state.phase === "voting";
    form.querySelector("fieldset").disabled = !voting;
    form.querySelector(".ws-closed").hidden = voting;
    var send = form.querySelector("button[type=submit]");
    if (send) { send.hidden = !voting; }
    if (votesWrap) { votesWrap.hidden = !voting; }

    // The open question takes the screen while it is asked.
    var prompt = state.prompt;
    if (openPanel) {
      var wasHidden = openPanel.hidden;
      openPanel.hidden = !prompt;
      if (prompt) {
        byId("ws-open-h").textContent = prompt.text;
        byId("ws-open-section").textContent = Live.pick(prompt.section);
        if (wasHidden) { Live.enter(openPanel); }
      }
    }
    item.hidden = !!prompt;
    if (results) {
      var reveal = state.reveal && !prompt ? state.reveal.current : null;
      var wasShown = !results.hidden;
      results.hidden = !reveal;
      if (reveal) {
        Live.bars(results.querySelector(".ws-bars"), reveal);
        byId("ws-p-mean").textContent = Live.num(reveal.mean);
        byId("ws-p-agreement").textContent = Live.pct(reveal.agreement);
        if (!wasShown) { Live.enter(results); }
      }
    }
    if (changed && (newCard || how === "push") && !prompt) { Live.enter(item); }
  }

  var initial = byId("ws-state");
  var live = Live({
    stateUrl: msg.stateUrl,
    eventsUrl: msg.eventsUrl,
    pollMs: selfPaced ? 20000 : 2000,
    onState: applyState,
    onCounts: showCounts,
    onRejoin: function () { window.location.href = window.location.pathname; }
  });
  if (initial && !selfPaced) {
    try { root.dataset.stateKey = JSON.parse(initial.textContent).v; } catch (e) { /* kept */ }
  }

  // The open question: a short answer, sent once; the facilitator decides what is shown.
  var openForm = byId("ws-open-form");
  if (openForm) {
    openForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var field = openForm.querySelector("textarea");
      var status = byId("ws-open-state");
      status.textContent = msg.msgSending;
      fetch(msg.answerUrl, {
        method: "POST",
        body: new URLSearchParams(new FormData(openForm)),
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": openForm.querySelector("input[name=csrfmiddlewaretoken]").value }
      }).then(function (response) {
        return response.json().then(function (data) {
          status.textContent = data.ok ? data.message : data.error;
          status.className = "save-state small mb-0 mt-2 " + (data.ok ? "is-saved" : "is-error");
          if (data.ok) { field.value = ""; }
        });
      }).catch(function () {
        status.textContent = msg.msgOffline;
        status.className = "save-state small mb-0 mt-2 is-error";
      });
    });
  }
})();
