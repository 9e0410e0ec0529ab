// Live preview of a portal block: posts the form (nothing is saved) and shows the answer in the phone frame.
// Without JavaScript, the "Preview" button does the same with a full page.
(function () {
  "use strict";
  var form = document.querySelector("[data-preview-form]");
  var frame = document.querySelector("[data-preview-frame]");
  var status = document.querySelector("[data-preview-status]");
  if (!form || !frame || !window.fetch || !window.FormData) {
    return;
  }
  var timer = null;
  var pending = null;

  function refresh() {
    var data = new FormData(form);
    data.set("_preview", "fragment");
    if (pending) {
      pending.abort();
    }
    pending = window.AbortController ? new AbortController() : null;
    fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      signal: pending ? pending.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        frame.srcdoc = html;
        if (status) {
          status.textContent = status.getAttribute("data-updated") || "Aperçu mis à jour.";
        }
      })
      .catch(function () {
        /* The "Preview" button still works. */
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 600);
  }

  form.addEventListener("input", function (event) {
    if (event.target && event.target.type !== "file") {
      later();
    }
  });
  form.addEventListener("change", later);
})();
