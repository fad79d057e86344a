// Tribune's page behaviour. Pages work without it (forms post normally);
// it adds the calendar, confirmations and small conveniences. No inline
// scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  function flash(msg, isError) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.innerHTML = "";
    var div = document.createElement("div");
    div.className = "flash" + (isError ? " flash-error" : "");
    div.setAttribute("role", isError ? "alert" : "status");
    div.setAttribute("data-testid", isError ? "flash-error" : "flash");
    div.textContent = msg;
    box.appendChild(div);
  }

  // FullCalendar runs in "UTC" mode on wall-clock strings: the server sends
  // and receives times in the viewer's time zone without an offset, so the
  // calendar shows exactly the wall-clock time people scheduled.
  function wall(d) {
    return d.toISOString().slice(0, 19);
  }

  var french = {
    code: "fr",
    week: { dow: 1, doy: 4 },
    buttonText: { prev: "Précédent", next: "Suivant", today: "Aujourd’hui", year: "Année", month: "Mois", week: "Semaine", day: "Jour", list: "Liste" },
    buttonHints: { prev: "$0 précédent", next: "$0 suivant", today: "Aujourd’hui" },
    viewHint: "Vue $0",
    navLinkHint: "Aller au $0",
    weekText: "Sem.",
    allDayText: "Toute la journée",
    moreLinkText: "en plus",
    noEventsText: "Aucune publication à afficher"
  };

  // viewKey names the calendar view the member chose, in localStorage.
  var viewKey = "tribune.calendar.view";

  function initCalendar(el) {
    if (!window.FullCalendar || el.dataset.ready) return;
    el.dataset.ready = "1";
    var fr = el.dataset.locale === "fr";
    var views = { month: "dayGridMonth", week: "timeGridWeek", day: "timeGridDay", list: "listMonth", dayGridMonth: "dayGridMonth",
      timeGridWeek: "timeGridWeek", timeGridDay: "timeGridDay", listDay: "listDay", listMonth: "listMonth" };
    var phone = window.matchMedia("(max-width: 640px)").matches;
    // The view opened first: one the address names (?view=), else the one
    // the member last chose with the view buttons (kept in this browser),
    // else, on a phone, the list (the month grid is too small to read or
    // tap; a thumb scrolls a list), elsewhere the month.
    var saved = null;
    try { saved = window.localStorage.getItem(viewKey); } catch (e) { /* storage off: no saved choice */ }
    var initial = views[el.dataset.initialView] || views[saved] || (phone ? "listMonth" : "dayGridMonth");
    var cal = new FullCalendar.Calendar(el, {
      timeZone: "UTC",
      locale: fr ? french : "en-gb",
      firstDay: 1,
      initialView: initial,
      // A phone gets the views a thumb can use, in one row of buttons.
      headerToolbar: { left: "prev,next today", center: "title",
        right: phone ? "dayGridMonth,listDay,listMonth" : "dayGridMonth,timeGridWeek,timeGridDay,listDay,listMonth" },
      // A view button pressed is a choice to keep; the first drawing and
      // paging within a view are not.
      datesSet: function (info) {
        if (info.view.type === initial) return;
        initial = info.view.type;
        try { window.localStorage.setItem(viewKey, initial); } catch (e) { /* storage off: the choice lasts this page */ }
      },
      // Text arrows, not FullCalendar's icon font (a data: font the CSP
      // blocks); the buttons' hints name them for screen readers.
      buttonIcons: false,
      buttonText: fr ? { prev: "‹", next: "›" } : { prev: "‹", next: "›", today: "Today", month: "Month", week: "Week", day: "Day", list: "List" },
      height: "auto",
      editable: true,
      eventDurationEditable: false,
      // A busy day shows four posts and a "+N more" link, not a wall of them.
      // The list of one day gets its own button label (FullCalendar's is "list").
      views: { dayGridMonth: { dayMaxEvents: 4 }, listDay: { buttonText: fr ? "Liste du jour" : "Day list" } },
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      events: function (info, ok, fail) {
        var url = el.dataset.eventsUrl + (el.dataset.eventsUrl.indexOf("?") < 0 ? "?" : "&") +
          "start=" + encodeURIComponent(wall(info.start)) + "&end=" + encodeURIComponent(wall(info.end));
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) {
            if (!r.ok) throw new Error(r.statusText);
            // More posts than one answer carries: say so instead of hiding them.
            var note = el.parentNode.querySelector("[data-calendar-truncated]");
            if (note) note.hidden = !r.headers.get("Tribune-Truncated");
            return r.json();
          })
          .then(ok, fail);
      },
      // A day cell is named by its date alone while it holds the posts' text
      // too (axe: label-content-name-mismatch): let its content name it.
      dayCellDidMount: function (info) { info.el.removeAttribute("aria-labelledby"); },
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        if (p.keyDate) { // a key date behind the day: its name, nothing to open or move
          info.el.setAttribute("title", info.event.title);
          info.el.setAttribute("data-testid", "keydate-" + info.event.startStr.slice(0, 10));
          return;
        }
        info.el.setAttribute("title", (p.statusLabel || "") + " · " + (p.channels || []).join(", "));
        info.el.setAttribute("data-post-id", info.event.id);
        info.el.setAttribute("data-testid", "event-" + info.event.id);
      },
      eventDrop: function (info) {
        var start = wall(info.event.start);
        fetch(el.dataset.moveUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ post_id: info.event.id, start: start })
        }).then(function (r) {
          return r.json().then(function (body) {
            if (!r.ok) throw new Error(body.error || r.statusText);
            return body;
          });
        }).then(function (body) {
          info.event.setExtendedProp("status", body.status);
          el.setAttribute("data-last-move", body.id + "@" + body.scheduled_local);
          flash((fr ? "Reprogrammée au " : "Rescheduled to ") + body.scheduled_local.replace("T", " "), false);
        }).catch(function (err) {
          info.revert();
          flash(err.message, true);
        });
      }
    });
    cal.render();
  }

  function init(root) {
    root.querySelectorAll("[data-calendar]").forEach(initCalendar);
    // A table wider than a phone scrolls inside itself (app.css); keyboard
    // users reach it with Tab and scroll it with the arrows.
    root.querySelectorAll("main table").forEach(function (t) {
      if (!t.closest(".fc") && t.scrollWidth > t.clientWidth && !t.hasAttribute("tabindex")) t.tabIndex = 0;
    });
  }

  // Buttons and forms that ask before doing something that cannot be undone.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    var q = f.getAttribute("data-confirm") || (e.submitter && e.submitter.getAttribute("data-confirm"));
    if (q && !window.confirm(q)) e.preventDefault();
  }, true);

  // Copy buttons next to secret links.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-copy]");
    if (!b) return;
    var src = document.querySelector(b.getAttribute("data-copy"));
    if (src && navigator.clipboard) navigator.clipboard.writeText(src.textContent.trim());
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();

/* clarity */
// An error answer to an htmx request (a form sent with hx-boost or hx-post)
// carries its message as a fragment the server retargets to #flash
// (HX-Retarget): show it there, keeping the page and what was typed in its
// form. htmx 2 does not swap 4xx/5xx answers unless told to.
document.addEventListener("htmx:beforeSwap", function (e) {
  var xhr = e.detail.xhr;
  if (xhr && xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget") === "#flash") {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});
