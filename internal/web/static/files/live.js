// Live updates of an open page (internal/live, GET /w/{ws}/events): plain
// EventSource, no htmx extension (the vendored htmx has none built in).
// Pages opt in through markup rendered by the server (ui/live.templ):
//
//   [data-live-events]    the stream's address; data-live-presence-url is
//                         where heartbeats go, data-live-me the member's id.
//   [data-live-on]        refetched (htmx event "live") when an event of one
//                         of its space-separated types arrives ("*": any),
//                         on its data-live-subject only when set, and on
//                         every resync.
//   [data-live-presence]  a conversation's presence line: shows who else is
//                         viewing or replying, and sends this member's
//                         heartbeat for that conversation every 10 s.
//   [data-live-reply]     the reply form of a conversation: typing in it
//                         makes the heartbeat say "replying".
//
// Every event is also dispatched on document as "tribune:live".
(function () {
  "use strict";

  var BEAT_MS = 10000; // heartbeat period; the server forgets after 30 s
  var TTL_MS = 30000;
  var TYPING_MS = 20000; // "replying" while the last keystroke is this recent

  function start() {
    var root = document.querySelector("[data-live-events]");
    if (!root || !window.EventSource) return;
    var me = root.getAttribute("data-live-me");
    var presenceURL = root.getAttribute("data-live-presence-url");
    // subject -> user id -> {name, state, at}. Without a prototype: a
    // subject is any text a member's heartbeat carries, and "__proto__"
    // must be a key like the others, not Object.prototype.
    var seen = Object.create(null);

    function refresh(ev) {
      document.querySelectorAll("[data-live-on]").forEach(function (el) {
        if (ev.type !== "resync") {
          var types = el.getAttribute("data-live-on").split(/\s+/);
          if (types.indexOf("*") < 0 && types.indexOf(ev.type) < 0) return;
          var subject = el.getAttribute("data-live-subject");
          if (subject && subject !== ev.subject) return;
        }
        if (window.htmx) window.htmx.trigger(el, "live");
      });
    }

    function render() {
      var now = Date.now();
      document.querySelectorAll("[data-live-presence]").forEach(function (el) {
        var users = seen[el.getAttribute("data-live-presence")] || {};
        var viewing = [], replying = [];
        Object.keys(users).forEach(function (id) {
          var u = users[id];
          if (now - u.at > TTL_MS) { delete users[id]; return; }
          if (id === me) return;
          (u.state === "replying" ? replying : viewing).push(u.name);
        });
        var parts = [];
        if (replying.length) parts.push(el.getAttribute("data-live-replying").replace("%s", replying.join(", ")));
        if (viewing.length) parts.push(el.getAttribute("data-live-viewing").replace("%s", viewing.join(", ")));
        el.textContent = parts.join(" · ");
        el.classList.toggle("live-replying", replying.length > 0);
        el.hidden = parts.length === 0;
      });
    }

    function onPresence(ev) {
      var v = ev.data || {};
      var users = seen[ev.subject] || (seen[ev.subject] = Object.create(null));
      if (v.state === "left") delete users[String(v.user_id)];
      else users[String(v.user_id)] = { name: v.name, state: v.state, at: Date.now() };
      render();
    }

    var es = new EventSource(root.getAttribute("data-live-events"));
    var dropped = false;
    es.onopen = function () {
      // Events sent while the stream was down are lost: refetch.
      if (dropped) refresh({ type: "resync" });
      dropped = false;
    };
    es.onerror = function () { dropped = true; };
    es.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (ev.type === "signedout") { es.close(); return; }
      if (ev.type === "presence") onPresence(ev);
      else refresh(ev);
      document.dispatchEvent(new CustomEvent("tribune:live", { detail: ev }));
    };

    // Heartbeats: one per conversation shown, "replying" while typing.
    var typed = {}; // subject -> time of the last keystroke in its reply form
    document.addEventListener("input", function (e) {
      var form = e.target.closest && e.target.closest("[data-live-reply]");
      if (!form) return;
      var subject = form.getAttribute("data-live-reply");
      var was = typed[subject] && Date.now() - typed[subject] < TYPING_MS;
      typed[subject] = Date.now();
      if (!was) beat(subject); // tell the others at once, not in 10 s
    });
    document.addEventListener("submit", function (e) {
      var form = e.target.closest && e.target.closest("[data-live-reply]");
      if (form) delete typed[form.getAttribute("data-live-reply")];
    });

    function stateOf(subject) {
      return typed[subject] && Date.now() - typed[subject] < TYPING_MS ? "replying" : "viewing";
    }
    function beat(subject, state) {
      if (!presenceURL) return;
      var body = new URLSearchParams({ subject: subject, state: state || stateOf(subject) });
      if (state === "left" && navigator.sendBeacon) {
        navigator.sendBeacon(presenceURL, body);
        return;
      }
      fetch(presenceURL, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
    }
    function subjects() {
      var out = [];
      document.querySelectorAll("[data-live-presence]").forEach(function (el) {
        var s = el.getAttribute("data-live-presence");
        if (out.indexOf(s) < 0) out.push(s);
      });
      return out;
    }
    var beating = {};
    function beatAll() {
      var now = subjects();
      Object.keys(beating).forEach(function (s) {
        if (now.indexOf(s) < 0) { beat(s, "left"); delete beating[s]; }
      });
      now.forEach(function (s) { beating[s] = true; beat(s); });
      render();
    }
    beatAll();
    setInterval(beatAll, BEAT_MS);
    // A conversation swapped in by htmx starts beating at once.
    document.addEventListener("htmx:afterSettle", beatAll);
    window.addEventListener("pagehide", function () {
      Object.keys(beating).forEach(function (s) { beat(s, "left"); });
      es.close();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
