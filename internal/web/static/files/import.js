// The import page: while the file is being posted (an import of thousands
// of rows runs in its request for a few seconds), poll the import's
// progress and show it. The page works without it: the report comes back
// when the import is over.
(function () {
  "use strict";
  var form = document.querySelector("form[data-import-progress]");
  if (!form) return;
  var out = form.querySelector(".import-progress");
  var keyInput = form.querySelector("input[name=progress_key]");
  form.addEventListener("submit", function () {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var key = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    keyInput.value = key;
    out.hidden = false;
    var url = form.getAttribute("data-import-progress") + "?key=" + key;
    function poll() {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (t) { if (t) out.textContent = t; })
        .catch(function () {})
        .then(function () { setTimeout(poll, 400); });
    }
    setTimeout(poll, 200);
  });
})();
