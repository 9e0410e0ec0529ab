// The attendance page (mediation/templates/mediation/backoffice/attendance.html), enhanced: a tap posts in the
// background and only the list and the counts change, so the page neither reloads nor jumps while the facilitator
// goes down the list; the focus stays on the person's line. Without this script each form posts and the page comes
// back at the person's line (#r<id>): the same server answers both ways.
(function () {
  "use strict";
  var body = document.getElementById("attendance-body");
  if (!body || !window.fetch || !window.DOMParser) {
    return;
  }
  var busy = false;

  function swap(page) {
    var count = page.getElementById("attendance-count");
    var flash = page.getElementById("attendance-flash");
    var next = page.getElementById("attendance-body");
    if (!next) {
      return false;
    }
    // The status line keeps its node (a live region is announced when its text changes, not when it is replaced).
    document.getElementById("attendance-count").textContent = count ? count.textContent : "";
    document.getElementById("attendance-flash").innerHTML = flash ? flash.innerHTML : "";
    body.innerHTML = next.innerHTML;
    return true;
  }

  function refocus(lineId, name, value) {
    var line = lineId && document.getElementById(lineId);
    var target = null;
    if (line) {
      target = line.querySelector('button[name="' + name + '"][value="' + value + '"]') || line.querySelector("button");
    }
    if (!target && document.querySelector("#attendance-flash [role=alert]")) {
      target = document.querySelector("#walk-in-form input");
    }
    if (target) {
      target.focus();
    }
  }

  body.addEventListener("submit", function (event) {
    var form = event.target;
    if (busy || !form.matches("form[data-attendance]")) {
      return;
    }
    event.preventDefault();
    busy = true;
    var button = event.submitter;
    var data = new FormData(form);
    if (button && button.name) {
      data.append(button.name, button.value);
    }
    var line = form.closest("li");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        if (!swap(new DOMParser().parseFromString(html, "text/html"))) {
          return Promise.reject("page");
        }
        refocus(line && line.id, button && button.name, button && button.value);
        busy = false;
      })
      .catch(function () {
        window.location.reload(); // what the server holds, as the page without script would show it
      });
  });
})();
