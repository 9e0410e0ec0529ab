/* A table wider than the screen scrolls sideways inside its wrapper (.table-responsive). Someone on a keyboard
   can only scroll what takes focus: such a wrapper, when it really overflows, becomes a tab stop (tabindex="0")
   named after its table (role="region", labelled by the table's caption or the heading before it), so that a
   screen reader says what it is. A wrapper that fits is left alone: no useless tab stop on a wide screen.
   Looked at again on resizing and when a page swaps content in (the WiFi board's refresh). No library. */
(function () {
  "use strict";

  var SELECTOR = ".table-responsive";
  var counter = 0;

  function labelOf(wrapper) {
    var caption = wrapper.querySelector("caption");
    var element = caption;
    if (!element) {
      var previous = wrapper.previousElementSibling;
      while (previous && !/^H[1-6]$/.test(previous.tagName)) {
        previous = previous.previousElementSibling;
      }
      element = previous;
    }
    if (!element) {
      return null;
    }
    if (element.id && !caption) {
      // A heading that already names the section around the table: a second landmark of the same name would
      // only repeat it. The tab stop alone is enough there.
      var section = wrapper.parentElement.closest('[aria-labelledby~="' + element.id + '"]');
      if (section) {
        return null;
      }
    }
    if (!element.id) {
      counter += 1;
      element.id = "scroll-region-label-" + counter;
    }
    return element.id;
  }

  function mark(wrapper) {
    var overflows = wrapper.scrollWidth > wrapper.clientWidth + 1;
    if (overflows && !wrapper.hasAttribute("tabindex")) {
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("data-scroll-region", "");
      var label = labelOf(wrapper);
      if (label) {
        wrapper.setAttribute("role", "region");
        wrapper.setAttribute("aria-labelledby", label);
      }
    } else if (!overflows && wrapper.hasAttribute("data-scroll-region")) {
      ["tabindex", "data-scroll-region", "role", "aria-labelledby"].forEach(function (name) {
        wrapper.removeAttribute(name);
      });
    }
  }

  function markAll() {
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), mark);
  }

  var pending = null;
  function later() {
    if (pending === null) {
      pending = window.requestAnimationFrame(function () {
        pending = null;
        markAll();
      });
    }
  }

  markAll();
  window.addEventListener("resize", later);
  if (window.MutationObserver) {
    new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  }
})();
