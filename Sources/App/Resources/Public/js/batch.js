// Batch entry: each row is checked as it is typed, by the same rules as the Check button (the page works
// without this script; it only saves the office a round trip). Member numbers become names; a row's
// problems appear in it; a slip number typed twice on the page is flagged at once.
(function () {
  "use strict";
  var form = document.querySelector("form.batch[data-row-check]");
  if (!form || !window.fetch) return;
  var csrf = form.querySelector("input[name=_csrf]").value;
  var fields = ["provider", "recipient", "hours", "minutes", "service_date", "slip_number"];

  function input(tr, field) { return tr.querySelector("input[name$='[" + field + "]']"); }

  function showName(tr, field, name) {
    var cell = input(tr, field).parentNode;
    var small = cell.querySelector("small");
    if (!small) { small = document.createElement("small"); cell.appendChild(small); }
    small.textContent = name || "";
  }

  function duplicateSlip(tr) {
    var slip = input(tr, "slip_number").value.trim();
    if (!slip) return false;
    return Array.prototype.some.call(form.querySelectorAll("tbody tr"), function (other) {
      return other !== tr && input(other, "slip_number").value.trim() === slip;
    });
  }

  function showErrors(tr, errors) {
    var cell = tr.lastElementChild;
    Array.prototype.forEach.call(cell.querySelectorAll("p.error"), function (p) { p.remove(); });
    errors.forEach(function (message) {
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = message;
      cell.appendChild(p);
    });
    tr.classList.toggle("has-error", errors.length > 0);
  }

  function check(tr) {
    var body = new URLSearchParams();
    body.set("_csrf", csrf);
    fields.forEach(function (field) { body.set(field, input(tr, field).value); });
    fetch(form.dataset.rowCheck, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        if (!result) return;
        showName(tr, "provider", result.providerName);
        showName(tr, "recipient", result.recipientName);
        var errors = result.errors.slice();
        if (duplicateSlip(tr)) errors.push(form.dataset.slipTwice || "");
        showErrors(tr, errors.filter(function (e) { return e; }));
      })
      .catch(function () { /* offline: the Check button still works */ });
  }

  Array.prototype.forEach.call(form.querySelectorAll("tbody tr"), function (tr) {
    tr.addEventListener("change", function () { check(tr); });
  });
})();
