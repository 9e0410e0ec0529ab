// The back-office menu (a <details>, see templates/backoffice/base.html), enhanced: open on wide screens for
// browsers whose CSS cannot show a closed <details>' content, closed again on a phone, and Escape closes it
// and gives the focus back to the button. Without this script the menu still opens and closes.
(function () {
  "use strict";
  var menu = document.querySelector("[data-site-nav]");
  if (!menu || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 992px)");
  function fit() {
    menu.open = wide.matches;
  }
  fit();
  wide.addEventListener("change", fit);
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
