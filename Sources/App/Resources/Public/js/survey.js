// Survey entry on a phone. The page works without this script (the server checks every rule); the
// script hides questions that are not relevant as answers are typed, adds instances of a repeat, and
// keeps a draft on the phone, so a lost connection or a closed tab loses nothing typed. The draft is
// dropped once the server has stored that submission.
(function () {
  "use strict";
  var form = document.querySelector("form.survey[data-form]");
  if (!form) return;
  var key = "ashar.survey." + form.getAttribute("data-form");
  var status = document.querySelector(".draft-status");
  var calculated = {};

  // --- Expressions, as the server sends them (FormExpression's JSON) -------------------------------
  function number(v) {
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    var t = String(v).trim();
    return t === "" ? NaN : Number(t);
  }
  function truthy(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0 && !isNaN(v);
    return String(v) !== "";
  }
  function text(v) {
    if (typeof v === "number") return isNaN(v) ? "" : String(v);
    if (typeof v === "boolean") return v ? "true" : "false";
    return v;
  }
  function compare(op, a, b) {
    var x = number(a), y = number(b);
    if (!isNaN(x) && !isNaN(y)) {
      return op === "=" ? x === y : op === "!=" ? x !== y : op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
    }
    var s = text(a), t = text(b);
    if (op === "=") return s === t;
    if (op === "!=") return s !== t;
    if (s === "" || t === "") return false;
    return op === "<" ? s < t : op === "<=" ? s <= t : op === ">" ? s > t : s >= t;
  }
  function evaluate(e, scope, current) {
    var kind = Object.keys(e)[0], v = e[kind];
    switch (kind) {
      case "number": case "text": return v._0;
      case "reference": return answer(v._0, scope);
      case "current": return current || "";
      case "negate": return -number(evaluate(v._0, scope, current));
      case "binary":
        var op = v._0, left = evaluate(v._1, scope, current);
        if (op === "and") return truthy(left) && truthy(evaluate(v._2, scope, current));
        if (op === "or") return truthy(left) || truthy(evaluate(v._2, scope, current));
        var right = evaluate(v._2, scope, current);
        if (op === "+") return number(left) + number(right);
        if (op === "-") return number(left) - number(right);
        if (op === "*") return number(left) * number(right);
        if (op === "div") return number(left) / number(right);
        if (op === "mod") return number(left) % number(right);
        return compare(op, left, right);
      case "call":
        var args = v._1.map(function (a) { return evaluate(a, scope, current); });
        switch (v._0) {
          case "not": return !truthy(args[0]);
          case "selected": return text(args[0]).split(" ").indexOf(text(args[1])) >= 0;
          case "count-selected": return text(args[0]).split(" ").filter(Boolean).length;
          case "string-length": return text(args[0]).length;
          case "number": return number(args[0]);
          case "int": return Math.trunc(number(args[0]));
          case "if": return truthy(args[0]) ? args[1] : args[2];
          case "coalesce": return text(args[0]) === "" ? args[1] : args[0];
          case "true": return true;
          case "false": return false;
          default: return new Date().toISOString().slice(0, 10);
        }
    }
    return "";
  }

  // --- Answers on the page ----------------------------------------------------------------------------
  function inputsNamed(root, name) {
    return Array.prototype.filter.call(root.querySelectorAll("input[name], textarea[name]"), function (i) {
      return i.name === name || i.name.slice(-(name.length + 1)) === "." + name;
    });
  }
  function valueOf(inputs) {
    var picked = inputs.filter(function (i) { return (i.type !== "radio" && i.type !== "checkbox") || i.checked; });
    return picked.filter(function (i) { return !i.disabled; }).map(function (i) { return i.value.trim(); }).filter(Boolean).join(" ");
  }
  function answer(name, scope) {
    if (scope) {
      var own = inputsNamed(scope, name);
      if (own.length) return valueOf(own);
    }
    var outside = Array.prototype.filter.call(form.querySelectorAll("[name='a." + name + "']"), function () { return true; });
    if (outside.length) return valueOf(outside);
    return calculated[name] === undefined ? "" : calculated[name];
  }

  function update() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-calculate]"), function (c) {
      var value = evaluate(JSON.parse(c.getAttribute("data-calculate")), c.closest(".instance"));
      calculated[c.getAttribute("data-calc").replace(/^a\./, "")] = typeof value === "number" && !isFinite(value) ? "" : text(value);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-relevant]"), function (el) {
      var relevant = truthy(evaluate(JSON.parse(el.getAttribute("data-relevant")), el.closest(".instance")));
      el.hidden = !relevant;
      // A hidden question sends nothing: its answer no longer applies.
      Array.prototype.forEach.call(el.querySelectorAll("input, textarea, select"), function (i) {
        i.disabled = !relevant || !!i.closest("[data-relevant][hidden]");
      });
    });
  }

  // --- Repeats -------------------------------------------------------------------------------------------
  function addInstance(name) {
    var section = form.querySelector("[data-repeat='" + name + "']");
    var template = document.querySelector("template[data-repeat-template='" + name + "']");
    if (!section || !template) return;
    var n = section.querySelectorAll(".instance").length + 1;
    var fieldset = document.createElement("fieldset");
    fieldset.className = "instance";
    fieldset.setAttribute("data-instance", String(n));
    fieldset.innerHTML = "<legend>" + n + "</legend>" + template.innerHTML.split("__n__").join(String(n));
    section.insertBefore(fieldset, section.querySelector("[data-add]"));
  }
  Array.prototype.forEach.call(form.querySelectorAll("[data-add]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { addInstance(button.getAttribute("data-add")); update(); save(); });
  });

  // --- The draft on the phone ------------------------------------------------------------------------------
  function save() {
    var values = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name], textarea[name]"), function (i) {
      if (i.name === "_csrf") return;
      if ((i.type === "radio" || i.type === "checkbox") && !i.checked) return;
      (values[i.name] = values[i.name] || []).push(i.value);
    });
    var repeats = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-repeat]"), function (s) {
      repeats[s.getAttribute("data-repeat")] = s.querySelectorAll(".instance").length;
    });
    try { localStorage.setItem(key, JSON.stringify({ values: values, repeats: repeats })); } catch (e) { /* storage full or off */ }
  }
  function restore(draft) {
    Object.keys(draft.repeats || {}).forEach(function (name) {
      var section = form.querySelector("[data-repeat='" + name + "']");
      while (section && section.querySelectorAll(".instance").length < draft.repeats[name]) addInstance(name);
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[name], textarea[name]"), function (i) {
      if (i.name === "_csrf") return;
      var saved = draft.values[i.name];
      if (i.type === "radio" || i.type === "checkbox") i.checked = !!saved && saved.indexOf(i.value) >= 0;
      else if (saved) i.value = saved[0];
    });
  }

  // An interview queued while offline: the next respondent starts on a blank form (the page again,
  // from the service worker without a connection). Refused by the server: her answers come back here.
  form.addEventListener("ashar:queued", function (event) {
    event.preventDefault();
    try { localStorage.removeItem(key); } catch (e) { /* storage off */ }
    location.replace(location.pathname);
  });
  form.addEventListener("ashar:restore", function (event) {
    event.preventDefault();
    var draft = { values: {}, repeats: {} };
    event.detail.forEach(function (pair) {
      (draft.values[pair[0]] = draft.values[pair[0]] || []).push(pair[1]);
      var repeat = /^r\.([^.]+)\.(\d+)\./.exec(pair[0]);
      if (repeat) draft.repeats[repeat[1]] = Math.max(draft.repeats[repeat[1]] || 0, Number(repeat[2]));
    });
    restore(draft);
    update();
    save();
  });

  var stored = null;
  try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
  var saved = document.querySelector("[data-saved]");
  if (stored && saved && stored.values.instance && stored.values.instance[0] === saved.getAttribute("data-saved")) {
    localStorage.removeItem(key);  // the server has it
    stored = null;
  }
  // A page the server sent back with problems already holds what was typed.
  if (stored && !form.hasAttribute("data-returned")) {
    restore(stored);
    status.textContent = status.getAttribute("data-restored");
    status.hidden = false;
  } else if (!form.hasAttribute("data-returned") && window.AsharOffline) {
    // A new interview gets its own id here: the page may be a copy kept for offline use.
    form.querySelector("input[name=instance]").value = window.AsharOffline.newKey();
  }
  update();
  form.addEventListener("input", function () { update(); save(); });
  form.addEventListener("change", function () { update(); save(); });
  form.addEventListener("submit", save);
})();
