/* Workshop participant: every vote goes through the never-lose queue of answer-queue.js
 * (kept in localStorage, retried until the server confirms), keyed by question and round.
 * Self-paced: "previous"/"next" switch questions on the page, so answering goes on offline. */
(function () {
  "use strict";
  var root = document.getElementById("ws-participant");
  if (!root || !window.fetch || !window.localStorage || !window.CompassAnswerQueue) { return; }

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
})();
