/* WiFi status board: fetch the board's content every N seconds and swap it in place.
   It sends back the ETag of what it shows: the server answers an empty 304 while nothing changed.
   No library. Without JavaScript the page still works: it has a "Refresh" link.
   Screen readers hear a one-line summary when it changes (aria-live="polite"), not the whole board. */
(function () {
  "use strict";

  var board = document.getElementById("wifi-board");
  var live = document.getElementById("wifi-board-live");
  var pause = document.getElementById("wifi-board-pause");
  if (!board || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = board.getAttribute("data-fragment-url");
  var seconds = parseInt(board.getAttribute("data-refresh-seconds"), 10) || 30;
  var timer = null;
  var paused = false;
  var inFlight = false;
  var etag = null;
  var checked = document.getElementById("wifi-board-checked");

  function markChecked() {
    if (checked) {
      checked.textContent = new Date().toLocaleTimeString(document.documentElement.lang || undefined);
    }
  }

  function content() {
    return board.querySelector(".wifi-board__content");
  }

  function announce(text) {
    // Emptied first so that the same sentence twice is still read.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 100);
  }

  function focusKey(element) {
    // Links are what has focus on this board: find the same one after the swap by its address.
    return element && element.getAttribute ? element.getAttribute("href") : null;
  }

  function swap(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var fresh = parsed.querySelector(".wifi-board__content");
    var current = content();
    if (!fresh || !current) {
      return;
    }
    var before = current.getAttribute("data-summary");
    var focused = board.contains(document.activeElement) ? focusKey(document.activeElement) : null;
    current.replaceWith(document.importNode(fresh, true));
    if (focused) {
      var again = board.querySelector('a[href="' + focused.replace(/"/g, '\\"') + '"]');
      if (again) {
        again.focus({ preventScroll: true });
      }
    }
    var after = fresh.getAttribute("data-summary");
    if (after && after !== before) {
      announce(after);
    }
  }

  function refresh() {
    if (paused || inFlight || document.hidden) {
      return;
    }
    inFlight = true;
    var headers = { "Accept": "text/html" };
    if (etag) {
      headers["If-None-Match"] = etag;
    }
    fetch(url, { credentials: "same-origin", headers: headers, redirect: "error", cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) {
          markChecked();
          return null;
        }
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        etag = response.headers.get("ETag");
        return response.text();
      })
      .then(function (html) {
        if (html !== null) {
          swap(html);
          markChecked();
        }
      })
      .catch(function () { /* signed out or offline: keep what is shown; the next round tries again */ })
      .then(function () { inFlight = false; });
  }

  function start() {
    stop();
    timer = window.setInterval(refresh, seconds * 1000);
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  if (pause) {
    pause.hidden = false;
    pause.addEventListener("click", function () {
      paused = !paused;
      pause.setAttribute("aria-pressed", paused ? "true" : "false");
      pause.textContent = pause.getAttribute(paused ? "data-label-resume" : "data-label-pause");
      announce(pause.getAttribute(paused ? "data-announce-paused" : "data-announce-resumed"));
      if (paused) {
        stop();
      } else {
        refresh();
        start();
      }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !paused) {
      refresh();
    }
  });
  start();
})();
