// Keyboard shortcuts of the inbox pages (issue 14, §2). Pages opt in with
// markup rendered by the server (ui/inbox_shortcuts.templ):
//
//   [data-kb]             the page's shortcuts root: data-kb-me is the
//                         member's id, data-kb-return the list's filters.
//   [data-kb-item]        an item; data-kb-post is where its triage change
//                         is posted (absent when the member may not triage).
//   [data-kb-open]        inside an item, the link "o" and Enter follow.
//   dialog[data-kb-help]  the list of shortcuts "?" opens.
//
// j/k move between items, o/Enter open, e marks done, a assigns to me,
// r focuses the reply box, x ticks the item, ? shows the list. Nothing
// happens while the member types in a field or holds a modifier, so the
// letters still reach what they type.
(function () {
  "use strict";

  function typing(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function start() {
    var root = document.querySelector("[data-kb]");
    if (!root) return;
    var help = document.querySelector("dialog[data-kb-help]");
    var show = document.querySelector("[data-kb-show-help]");
    if (show && help) show.addEventListener("click", function () { help.showModal(); });

    function items() {
      return Array.prototype.slice.call(document.querySelectorAll("[data-kb-item]"));
    }
    function current() {
      return document.querySelector("[data-kb-item].kb-current");
    }
    function select(el) {
      var old = current();
      if (old) {
        old.classList.remove("kb-current");
        old.removeAttribute("aria-current");
      }
      if (!el) return;
      el.classList.add("kb-current");
      el.setAttribute("aria-current", "true");
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: "nearest" });
    }
    function move(step) {
      var all = items();
      if (!all.length) return;
      var i = all.indexOf(current());
      if (i < 0) i = step > 0 ? -1 : all.length;
      select(all[Math.max(0, Math.min(all.length - 1, i + step))]);
    }
    // post sends one triage change for the current item, as its form would.
    function post(field, value) {
      var el = current();
      var url = el && el.getAttribute("data-kb-post");
      if (!url) return;
      var f = document.createElement("form");
      f.method = "post";
      f.action = url;
      var fields = { item: el.getAttribute("data-kb-item"), return: root.getAttribute("data-kb-return") || "" };
      fields[field] = value;
      Object.keys(fields).forEach(function (k) {
        var i = document.createElement("input");
        i.type = "hidden";
        i.name = k;
        i.value = fields[k];
        f.appendChild(i);
      });
      document.body.appendChild(f);
      f.submit();
    }

    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (typing(e.target)) return;
      if (help && help.open) return; // the dialog has the keyboard; Escape closes it
      var el = current();
      switch (e.key) {
        case "j":
          move(1);
          break;
        case "k":
          move(-1);
          break;
        case "o":
        case "Enter":
          // Enter on a link or button already does its own thing.
          if (e.key === "Enter" && e.target !== el) return;
          var link = el && el.querySelector("[data-kb-open]");
          if (!link) return;
          link.click();
          break;
        case "e":
          post("status", "done");
          break;
        case "a":
          post("assignee", root.getAttribute("data-kb-me"));
          break;
        case "r":
          var box = (el || document).querySelector("textarea[name=text]");
          if (!box) return;
          box.focus();
          break;
        case "x":
          var tick = el && el.querySelector("input[type=checkbox][name=item]");
          if (!tick) return;
          tick.checked = !tick.checked;
          tick.dispatchEvent(new Event("change", { bubbles: true }));
          break;
        case "?":
          if (!help) return;
          help.showModal();
          break;
        default:
          return;
      }
      e.preventDefault();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
