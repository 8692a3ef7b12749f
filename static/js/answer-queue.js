/* The never-lose queue behind the questionnaire's autosave and the workshop votes.
 *
 * Every answer is stored in localStorage first, then sent; only the server's JSON
 * {"ok": true, "ts": <the same ts>} confirms it. Anything else (offline, a 5xx, a reset
 * connection, a redirect to the login page, a stale CSRF token) keeps the answer and retries
 * with back-off, also after a reload. Answers carry the click time, strictly increasing on
 * this device, so a retry never duplicates and an old retry never overwrites a newer answer
 * (the server applies a click only when it is newer than the stored one). A server that
 * answers with its clock ({"now": <ms>}) corrects the click times of a device whose clock
 * is off by more than a few seconds, so that its clicks are not all older than the stored ones.
 *
 *   var queue = CompassAnswerQueue({
 *     url: "...", storeKey: "...", root: element (for the CSRF form field),
 *     body: function (entry) { return URLSearchParams },  // fields to post for an entry
 *     report: function (kind, entry, data) {},          // "sending" | "saved" | "retry" |
 *                                                        // "signin" | "hold" | "refused"
 *   });
 *   queue.add(key, entry); queue.entries(); queue.pending(); queue.flush();
 */
(function () {
  "use strict";

  window.CompassAnswerQueue = function (options) {
    var inFlight = {};
    var retryDelay = 1000;
    var retryTimer = null;
    var lastTs = 0;
    var holding = false;
    var queue = load();
    var OFFSET_KEY = "compass-clock-offset";
    var offset = parseInt(readStored(OFFSET_KEY), 10) || 0; // server's clock minus this device's

    function readStored(key) {
      try { return localStorage.getItem(key); } catch (e) { return null; }
    }
    function learnClock(serverNow) {
      if (typeof serverNow !== "number") { return; }
      var skew = serverNow - Date.now();
      offset = Math.abs(skew) > 2000 ? skew : 0; // a few seconds are network delay, not skew
      try { localStorage.setItem(OFFSET_KEY, String(offset)); } catch (e) { /* memory only */ }
    }

    function load() {
      try { return JSON.parse(localStorage.getItem(options.storeKey) || "{}"); } catch (e) { return {}; }
    }
    function store() {
      try { localStorage.setItem(options.storeKey, JSON.stringify(queue)); } catch (e) { /* full: memory only */ }
    }
    Object.keys(queue).forEach(function (key) { lastTs = Math.max(lastTs, queue[key].ts || 0); });

    function nextTs() {
      lastTs = Math.max(Date.now() + offset, lastTs + 1);
      return lastTs;
    }
    function csrfToken() {
      var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      if (match) { return decodeURIComponent(match[1]); }
      var input = options.root.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }
    function scheduleRetry() {
      if (retryTimer) { return; }
      retryTimer = setTimeout(function () {
        retryTimer = null;
        flush();
      }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    }

    function send(key) {
      var entry = queue[key];
      if (!entry || inFlight[key] || holding) { return; }
      inFlight[key] = entry.ts;
      var body = options.body(entry);
      body.append("ts", String(entry.ts));
      fetch(options.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual", // a redirect to the login page is not a confirmation
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          var signedOut = response.type === "opaqueredirect" || response.status === 401 ||
            response.status === 403;
          throw new Error(signedOut ? "signin" : "server");
        }
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      }).then(function (res) {
        delete inFlight[key];
        var data = res.data;
        learnClock(data.now);
        if (res.status === 200 && data.ok && String(data.ts) === String(entry.ts)) {
          retryDelay = 1000;
          if (queue[key] && queue[key].ts === entry.ts) {
            delete queue[key];
            store();
            options.report("saved", entry, data);
          } else {
            send(key); // a newer answer arrived meanwhile
          }
        } else if (res.status === 403 && data.rejoin) {
          // Kept, but not sent under another identity: it stays visible on this device.
          holding = true;
          options.report("hold", entry, data);
        } else if (res.status === 409 || res.status === 400 || res.status === 404) {
          // Refused for good (locked, closed, invalid): retrying cannot help.
          delete queue[key];
          store();
          options.report("refused", entry, data);
        } else {
          throw new Error(res.status === 403 ? "signin" : "server");
        }
      }).catch(function (error) {
        delete inFlight[key];
        options.report(error && error.message === "signin" ? "signin" : "retry", entry, null);
        scheduleRetry();
      });
    }

    function flush() {
      Object.keys(queue).forEach(send);
    }

    window.addEventListener("online", function () { retryDelay = 1000; flush(); });

    return {
      add: function (key, entry) {
        entry.ts = nextTs();
        queue[key] = entry;
        store();
        options.report("sending", entry, null);
        send(key);
      },
      entries: function () {
        return Object.keys(queue).map(function (key) { return queue[key]; });
      },
      pending: function () { return Object.keys(queue).length; },
      flush: flush
    };
  };

  // The line under a question that tells its state ("saving", "saved · 10:42", …); kind is
  // "pending", "saved" or "error". Shared by the questionnaire and the workshop phone.
  window.CompassAnswerQueue.showState = function (code, text, kind) {
    var el = document.getElementById("state-" + code);
    if (!el) { return; }
    el.textContent = text;
    el.className = "save-state small mb-0 mt-2" + (kind ? " is-" + kind : "");
  };
})();
