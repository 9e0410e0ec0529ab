// The contact form's proof of work (accueil/pow.py): find the number whose SHA-256 with the salt is the
// challenge, put it in the form. Without JavaScript (or crypto.subtle) the form is sent without it: the server
// then asks that the form was open longer.
(function () {
  "use strict";
  var box = document.getElementById("pow");
  if (!box || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var salt = box.getAttribute("data-salt"), challenge = box.getAttribute("data-challenge");
  var max = parseInt(box.getAttribute("data-max"), 10), field = document.getElementById("id_pow_number");
  var encoder = new TextEncoder(), step = 500;
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function batch(start) {
    if (start > max) return;
    var digests = [];
    for (var n = start; n <= Math.min(max, start + step - 1); n++) {
      digests.push(window.crypto.subtle.digest("SHA-256", encoder.encode(salt + n)));
    }
    Promise.all(digests).then(function (results) {
      for (var i = 0; i < results.length; i++) {
        if (hex(results[i]) === challenge) { field.value = String(start + i); return; }
      }
      batch(start + step);
    });
  }
  batch(0);
})();
