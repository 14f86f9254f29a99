// The report form's attachments: each chosen file is hashed (SHA-256) here,
// in the browser, and only "hash  name" goes into the form. The file input
// has no name, so the files themselves are never sent.
"use strict";
(function () {
  var input = document.getElementById("attach-files");
  var list = document.getElementById("attachments");
  if (!input || !list || !window.crypto || !crypto.subtle) return;
  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  input.addEventListener("change", function () {
    Array.prototype.forEach.call(input.files, function (f) {
      f.arrayBuffer().then(function (data) {
        return crypto.subtle.digest("SHA-256", data);
      }).then(function (sum) {
        var line = hex(sum) + "  " + f.name.replace(/[\r\n]/g, " ");
        list.value = list.value.replace(/\s*$/, "") + (list.value.trim() ? "\n" : "") + line;
      });
    });
  });
})();
