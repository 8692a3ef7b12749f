/* Workshop participant: every vote is queued in localStorage first, then sent; only the
 * server's {"ok": true, "ts": <same ts>} confirms it. Anything else (offline, a 5xx, a
 * reset connection, a stale CSRF token) keeps the vote and retries with back-off, also after
 * a reload. Votes are keyed by question and round and carry the click time, so a retry never
 * duplicates and an old retry never overwrites a newer vote (the approach of autosave.js).
 * Self-paced: "previous"/"next" switch questions on the page, so answering goes on offline. */
(function () {
  "use strict";
  var root = document.getElementById("ws-participant");
  if (!root || !window.fetch || !window.localStorage) { return; }

  var msg = root.dataset;
  var voteUrl = msg.voteUrl;
  var storeKey = msg.storeKey;
  var syncState = document.getElementById("ws-sync");
  var inFlight = {};
  var retryDelay = 1000;
  var retryTimer = null;
  var lastTs = 0;
  var rejoin = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function store(queue) {
    try { localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* full: memory only */ }
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
  function pendingCount() { return Object.keys(queue).length; }
  function setState(code, text, kind) {
    var el = document.getElementById("state-" + code);
    if (!el) { return; }
    el.textContent = text;
    el.className = "save-state small mb-0 mt-2" + (kind ? " is-" + kind : "");
  }
  function updateSync(kind) {
    var n = pendingCount();
    root.classList.toggle("has-pending", n > 0);
    if (kind === "rejoin") {
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

  function enqueue(form) {
    var checked = form.querySelector("input[name=value]:checked");
    if (!checked) { return; }
    var code = form.dataset.code;
    var round = form.dataset.round;
    var entry = { question: code, round: round, value: checked.value, ts: nextTs() };
    queue[code + ":" + round] = entry;
    store(queue);
    setState(code, msg.msgSending, "pending");
    updateSync();
    send(code + ":" + round);
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = setTimeout(function () {
      retryTimer = null;
      flush();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 10000);
  }

  function send(key) {
    var entry = queue[key];
    if (!entry || inFlight[key]) { return; }
    inFlight[key] = entry.ts;
    var body = new FormData();
    body.append("question", entry.question);
    body.append("round", entry.round);
    body.append("value", entry.value);
    body.append("ts", String(entry.ts));
    fetch(voteUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("server"); }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (res) {
      delete inFlight[key];
      var data = res.data;
      if (res.status === 200 && data.ok && String(data.ts) === String(entry.ts)) {
        retryDelay = 1000;
        rejoin = false;
        if (queue[key] && queue[key].ts === entry.ts) {
          delete queue[key];
          store(queue);
          setState(entry.question, msg.msgReceived, "saved");
        } else {
          send(key); // a newer choice arrived meanwhile
        }
        updateSync();
      } else if (res.status === 403 && data.rejoin) {
        // Keep the vote: after joining again on this device it cannot be sent under the
        // new identity, but it stays visible here instead of vanishing.
        rejoin = true;
        updateSync("rejoin");
      } else if (res.status === 409 || res.status === 400 || res.status === 404) {
        // Refused for good (voting ended, session closed, invalid): retrying cannot help.
        delete queue[key];
        store(queue);
        setState(entry.question, msg.msgRefused + ": " + (data.error || ""), "error");
        updateSync();
      } else {
        throw new Error("server");
      }
    }).catch(function () {
      delete inFlight[key];
      setState(entry.question, msg.msgRetry, "pending");
      updateSync("offline");
      scheduleRetry();
    });
  }

  function flush() {
    if (rejoin) { return; }
    Object.keys(queue).forEach(send);
    if (pendingCount() === 0) { updateSync(); }
  }

  function formOf(code, round) {
    return root.querySelector("form.ws-vote[data-code='" + code + "'][data-round='" + round + "']");
  }

  // Restore votes that were not confirmed before a reload or a crash.
  Object.keys(queue).forEach(function (key) {
    var entry = queue[key];
    lastTs = Math.max(lastTs, entry.ts);
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

  window.addEventListener("online", function () { retryDelay = 1000; flush(); });
  root.classList.add("js-autosave");
  flush();
  if (pendingCount() === 0) { syncState.textContent = ""; }
})();
