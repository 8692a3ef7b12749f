/* Autosave for the questionnaire: every change is queued in localStorage first, then sent;
 * only the server's {"ok": true, "ts": <same ts>} confirms it. Anything else (offline, a
 * 5xx, a redirect to the login page, a stale CSRF token) keeps the change and retries.
 * Saves are keyed by question and carry the click time, so a retry never duplicates and
 * an old retry never overwrites a newer answer. */
(function () {
  "use strict";
  var root = document.getElementById("questionnaire");
  if (!root || !window.fetch || !window.localStorage) { return; }

  var saveUrl = root.dataset.saveUrl;
  var storeKey = root.dataset.storeKey;
  var msg = root.dataset;
  var syncState = document.getElementById("sync-state");
  var inFlight = {};
  var retryDelay = 1000;
  var retryTimer = null;
  var lastTs = 0;
  var signedOut = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function store(queue) {
    try { localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* full: keep in memory */ }
  }
  var queue = load();

  function nextTs() {
    lastTs = Math.max(Date.now(), lastTs + 1);
    return lastTs;
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function stateOf(code) { return document.getElementById("state-" + code); }
  function setQuestionState(code, text, kind) {
    var el = stateOf(code);
    if (!el) { return; }
    el.textContent = text;
    el.className = "save-state small mb-0 mt-2" + (kind ? " is-" + kind : "");
  }
  function pendingCount() { return Object.keys(queue).length; }
  function updateSyncState(kind) {
    var n = pendingCount();
    root.classList.toggle("has-pending", n > 0);
    if (kind === "offline") {
      syncState.textContent = msg.msgOffline + " (" + n + " " + msg.msgPending + ")";
      syncState.className = "sync-state is-offline";
    } else if (kind === "signin") {
      syncState.textContent = msg.msgSignin;
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
  function currentEntry(code) {
    var fs = fieldsetOf(code);
    var checked = fs.querySelector("input[type=radio]:checked");
    var comment = fs.querySelector("textarea");
    return { value: checked ? checked.value : null, comment: comment ? comment.value : "" };
  }

  function enqueue(code) {
    var entry = currentEntry(code);
    if (entry.value === null) { return; } // a comment waits for an answer
    entry.ts = nextTs();
    queue[code] = entry;
    store(queue);
    setQuestionState(code, msg.msgSaving, "pending");
    updateSyncState();
    send(code);
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = setTimeout(function () {
      retryTimer = null;
      flush();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function send(code) {
    var entry = queue[code];
    if (!entry || inFlight[code]) { return; }
    inFlight[code] = entry.ts;
    var body = new FormData();
    body.append("question", code);
    body.append("value", entry.value);
    body.append("comment", entry.comment);
    body.append("ts", String(entry.ts));
    fetch(saveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual", // a redirect to the login page is not a confirmation
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.type === "opaqueredirect" || response.status === 403 || response.status === 401) {
        signedOut = true;
        throw new Error("signin");
      }
      if (type.indexOf("application/json") === -1) { throw new Error("server"); }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (res) {
      delete inFlight[code];
      var data = res.data;
      if (res.status === 200 && data.ok && String(data.ts) === String(entry.ts)) {
        signedOut = false;
        retryDelay = 1000;
        if (queue[code] && queue[code].ts === entry.ts) {
          delete queue[code];
          store(queue);
          setQuestionState(code, msg.msgSaved + " · " + data.saved_at, "saved");
        } else {
          send(code); // a newer change arrived meanwhile
        }
        updateProgress(data.answered);
        updateSyncState();
      } else if (res.status === 409 || res.status === 400) {
        // Refused for good (locked or invalid): retrying cannot help.
        delete queue[code];
        store(queue);
        setQuestionState(code, data.error || msg.msgLocked, "error");
        updateSyncState();
      } else {
        throw new Error("server");
      }
    }).catch(function (error) {
      delete inFlight[code];
      setQuestionState(code, msg.msgRetry, "pending");
      updateSyncState(error && error.message === "signin" ? "signin" : "offline");
      scheduleRetry();
    });
  }

  function flush() {
    Object.keys(queue).forEach(send);
    if (pendingCount() === 0) { updateSyncState(); }
  }

  // Restore changes that were not confirmed before a reload or a crash.
  Object.keys(queue).forEach(function (code) {
    var fs = fieldsetOf(code);
    if (!fs) { return; }
    var entry = queue[code];
    var radio = fs.querySelector("input[type=radio][value='" + entry.value + "']");
    if (radio) { radio.checked = true; }
    var comment = fs.querySelector("textarea");
    if (comment && entry.comment) { comment.value = entry.comment; }
    setQuestionState(code, msg.msgRetry, "pending");
    lastTs = Math.max(lastTs, entry.ts);
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
  window.addEventListener("online", function () { retryDelay = 1000; flush(); });
  root.classList.add("js-autosave");
  flush();
  if (pendingCount() === 0) { syncState.textContent = ""; }
})();
