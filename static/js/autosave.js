/* Autosave for the questionnaire: every change goes through the never-lose queue of
 * answer-queue.js (kept in localStorage, retried until the server confirms). This file only
 * connects it to the page: which fields make an answer, and what the person is told.
 *
 * A comment is saved with an answer ("don't know" is an answer; "not answered yet" is not).
 * A comment typed before any answer is chosen is kept on this device (localStorage) and
 * the page says that it waits; the first answer chosen sends both. */
(function () {
  "use strict";
  var root = document.getElementById("questionnaire");
  if (!root || !window.fetch || !window.localStorage || !window.CompassAnswerQueue) { return; }

  var msg = root.dataset;
  var syncState = document.getElementById("sync-state");
  var signedOut = false;
  var draftKey = msg.storeKey + "-comments";

  var setQuestionState = window.CompassAnswerQueue.showState;
  function updateSyncState(kind) {
    var n = queue.pending();
    root.classList.toggle("has-pending", n > 0);
    if (kind === "signin" || (signedOut && n > 0)) {
      syncState.textContent = msg.msgSignin;
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
  function updateProgress(answered) {
    var count = document.getElementById("answered-count");
    var bar = document.getElementById("progress-bar");
    var progress = document.getElementById("progress");
    var total = parseInt(root.dataset.total, 10) || 1;
    var current = parseInt(count.textContent, 10) || 0;
    var value = Math.max(current, answered); // progress never goes backwards
    count.textContent = value;
    progress.setAttribute("aria-valuenow", value);
    bar.style.width = Math.round(100 * value / total) + "%";
  }

  function fieldsetOf(code) { return document.getElementById("q-" + code); }

  // The answer that was kept instead of this click (a newer one, given elsewhere): shown as
  // it is stored, so the page never says "saved" for what was not.
  function showKept(entry, data) {
    var fs = fieldsetOf(entry.question);
    if (!fs) { return; }
    var radio = fs.querySelector("input[type=radio][value='" + data.value + "']");
    if (radio) { radio.checked = true; }
    var comment = fs.querySelector("textarea");
    if (comment && typeof data.comment === "string") { comment.value = data.comment; }
    setQuestionState(entry.question, msg.msgKept + " · " + data.saved_at, "kept");
  }

  var queue = window.CompassAnswerQueue({
    url: msg.saveUrl,
    storeKey: msg.storeKey,
    root: root,
    body: function (entry) {
      var body = new URLSearchParams(); // url-encoded: cheaper for the server to parse than multipart
      body.append("question", entry.question);
      body.append("value", entry.value);
      body.append("comment", entry.comment);
      return body;
    },
    report: function (kind, entry, data) {
      if (kind === "sending") {
        setQuestionState(entry.question, msg.msgSaving, "pending");
      } else if (kind === "saved") {
        signedOut = false;
        if (data.applied === false) {
          showKept(entry, data);
        } else {
          setQuestionState(entry.question, msg.msgSaved + " · " + data.saved_at, "saved");
        }
        updateProgress(data.answered);
      } else if (kind === "refused") {
        setQuestionState(entry.question, (data && data.error) || msg.msgLocked, "error");
      } else {
        signedOut = kind === "signin";
        setQuestionState(entry.question, msg.msgRetry, "pending");
      }
      updateSyncState(kind === "retry" ? "offline" : kind);
    }
  });

  // Comments typed before an answer, by question code.
  function loadDrafts() {
    try { return JSON.parse(localStorage.getItem(draftKey) || "{}"); } catch (e) { return {}; }
  }
  var drafts = loadDrafts();
  function storeDrafts() {
    try { localStorage.setItem(draftKey, JSON.stringify(drafts)); } catch (e) { /* memory only */ }
  }

  function enqueue(code) {
    var fs = fieldsetOf(code);
    var checked = fs.querySelector("input[type=radio]:checked");
    var comment = fs.querySelector("textarea");
    if (!checked) {
      // No answer yet: keep the comment here and say so; it goes with the first answer.
      if (comment && comment.value.trim()) {
        drafts[code] = comment.value;
        setQuestionState(code, msg.msgWaiting, "waiting");
      } else {
        delete drafts[code];
        setQuestionState(code, "", "");
      }
      storeDrafts();
      return;
    }
    if (code in drafts) {
      delete drafts[code];
      storeDrafts();
    }
    queue.add(code, { question: code, value: checked.value, comment: comment ? comment.value : "" });
  }

  // Restore changes that were not confirmed before a reload or a crash.
  queue.entries().forEach(function (entry) {
    var fs = fieldsetOf(entry.question);
    if (!fs) { return; }
    var radio = fs.querySelector("input[type=radio][value='" + entry.value + "']");
    if (radio) { radio.checked = true; }
    var comment = fs.querySelector("textarea");
    if (comment && entry.comment) { comment.value = entry.comment; }
    setQuestionState(entry.question, msg.msgRetry, "pending");
  });
  // And the comments that wait for an answer.
  Object.keys(drafts).forEach(function (code) {
    var fs = fieldsetOf(code);
    if (!fs) { return; }
    var comment = fs.querySelector("textarea");
    if (!comment) { return; }
    comment.value = drafts[code];
    var details = comment.closest("details");
    if (details) { details.open = true; }
    enqueue(code); // answered meanwhile (another tab, the plain form): sent now; else waits
  });

  root.addEventListener("change", function (event) {
    var fs = event.target.closest("fieldset.question");
    if (fs && event.target.type === "radio") { enqueue(fs.dataset.code); }
  });
  var commentTimers = {};
  root.addEventListener("input", function (event) {
    var fs = event.target.closest("fieldset.question");
    if (!fs || event.target.tagName !== "TEXTAREA") { return; }
    var code = fs.dataset.code;
    clearTimeout(commentTimers[code]);
    commentTimers[code] = setTimeout(function () { enqueue(code); }, 700);
  });
  root.classList.add("js-autosave");
  queue.flush();
  if (queue.pending() > 0) { updateSyncState(); }
})();
