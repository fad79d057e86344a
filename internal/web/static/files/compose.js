// The composer's uploads: files chosen with the button or dropped on the
// zone wait for their alt text, then go to the server with their progress
// shown; the new media is added to the grid, ticked, and the live check
// (previews, counters) runs again. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var zone = document.getElementById("dropzone");
  if (!zone) return;
  var list = document.getElementById("uploads");
  var grid = document.getElementById("media-grid");
  var form = document.getElementById("composer-form");
  var n = 0;

  function pending(file) {
    var id = "upload-alt-" + (++n);
    var li = document.createElement("li");
    li.className = "upload";
    li.setAttribute("data-testid", "upload-" + n);
    var name = document.createElement("span");
    name.textContent = file.name;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = zone.dataset.altLabel;
    var alt = document.createElement("input");
    alt.id = id;
    alt.setAttribute("data-testid", "upload-alt-" + n);
    // Not form fields of the post: no name, so the composer never sends them.
    var go = document.createElement("button");
    go.type = "button";
    go.className = "btn";
    go.textContent = zone.dataset.uploadLabel;
    go.setAttribute("data-testid", "upload-go-" + n);
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.hidden = true;
    bar.setAttribute("aria-label", file.name);
    go.addEventListener("click", function () { send(file, alt.value, li, bar, go); });
    li.append(name, label, alt, go, bar);
    list.appendChild(li);
    alt.focus();
  }

  function send(file, alt, li, bar, go) {
    var data = new FormData();
    data.append("file", file);
    data.append("alt", alt);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", zone.dataset.upload);
    xhr.setRequestHeader("HX-Request", "true"); // errors come back as a fragment
    bar.hidden = false;
    go.disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total);
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        bar.value = 100;
        grid.insertAdjacentHTML("beforeend", xhr.responseText);
        li.remove();
        form.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
      failed(li, go, xhr.responseText);
    });
    xhr.addEventListener("error", function () { failed(li, go, ""); });
    xhr.send(data);
  }

  function failed(li, go, body) {
    go.disabled = false;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    // The error's message, as text: never the server's HTML. Its message
    // and each field's detail are read apart so they do not run together.
    var doc = new DOMParser().parseFromString(body, "text/html").body;
    var parts = [];
    doc.querySelectorAll("p, li").forEach(function (el) { parts.push(el.textContent.trim()); });
    var msg = (parts.length ? parts.join(" ") : doc.textContent).trim();
    p.textContent = zone.dataset.failedLabel + (msg ? " — " + msg : "");
    li.appendChild(p);
  }

  // An unticked channel's counter beside its own text would stay from the
  // last check: clear it (the check answers only ticked channels).
  form.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name !== "channel" || t.checked) return;
    var own = document.getElementById("own-count-" + t.value);
    if (own) { own.textContent = ""; own.className = "own-count"; }
  });

  function take(files) {
    for (var i = 0; i < files.length; i++) pending(files[i]);
  }

  zone.querySelector("input[type=file]").addEventListener("change", function (e) {
    take(e.target.files);
    e.target.value = "";
    e.stopPropagation(); // the live check has nothing to do with the chooser
  });
  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files) take(e.dataTransfer.files);
  });
})();
