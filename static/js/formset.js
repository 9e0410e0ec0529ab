// "Add a period" for Django inline formsets: clones the empty form kept in a <template>.
// Without JavaScript the page still works: the formset always offers one blank row.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (fieldset) {
    var prefix = fieldset.getAttribute("data-formset-prefix");
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = fieldset.querySelector("template[data-formset-template]");
    var container = fieldset.querySelector("[data-formset-forms]");
    var button = fieldset.querySelector("[data-formset-add]");
    if (!total || !template || !container || !button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var wrapper = document.createElement("div");
      wrapper.innerHTML = html.trim();
      var row = wrapper.firstElementChild;
      container.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("select, input:not([type=hidden])");
      if (first) {
        first.focus();
      }
    });
  });
})();
