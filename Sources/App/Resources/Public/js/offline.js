// The office keeps working when the connection drops. A form marked data-offline is not posted by the
// browser (only when its data-offline-submit button is pressed, if it names one): what it holds goes into
// an outbox in IndexedDB with a fresh Idempotency-Key, is shown as waiting to send, and is sent as soon
// as the server answers — when the page opens, when the browser is online again, and every 20 seconds.
// The server stores it once however often it arrives (the key; a survey's instance id), so an answer
// lost on the way is harmless. What it refuses comes back as an item to resolve — put back into the
// form, or discarded by the user — never dropped silently. A form of rows (batch entry) keeps what is
// being typed as a draft here; another (survey entry) keeps its own and hears "ashar:queued" and
// "ashar:restore". Without IndexedDB (or without this script) the form posts as it always did.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline]");
  var box = document.getElementById("outbox");
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(function () {});
  if (!form || !box || !window.indexedDB || !window.fetch || !window.Promise) return;
  var text = box.dataset;
  var scope = form.dataset.offline;
  var user = form.dataset.user;
  var rowForm = form.querySelector("input[name^='rows[']") !== null;

  // ---- IndexedDB: "outbox" (batches to send, by key) and "drafts" (what a form holds, by scope).
  function database() {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open("ashar-offline", 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore("outbox", { keyPath: "key" });
        opening.result.createObjectStore("drafts", { keyPath: "scope" });
      };
      opening.onsuccess = function () { resolve(opening.result); };
      opening.onerror = function () { reject(opening.error); };
    });
  }
  function store(name, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode), request = work(transaction.objectStore(name)), result;
        if (request) request.onsuccess = function () { result = request.result; };
        transaction.oncomplete = function () { db.close(); resolve(result); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }
  function items() {
    return store("outbox", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (item) { return item.scope === scope; }).sort(function (a, b) { return a.queuedAt - b.queuedAt; });
    });
  }
  function keep(item) { return store("outbox", "readwrite", function (s) { s.put(item); }); }
  function drop(key) { return store("outbox", "readwrite", function (s) { s.delete(key); }); }

  // ---- What the form would post, as name/value pairs (the token and the buttons aside).
  function rowInputs() { return Array.prototype.slice.call(form.querySelectorAll("input[name^='rows[']")); }
  function fields() {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "_csrf" || el.disabled || /^(submit|button|file)$/.test(el.type)) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { pairs.push([el.name, o.value]); });
      } else {
        pairs.push([el.name, el.value]);
      }
    });
    return pairs;
  }
  function typedRows() {
    var rows = {};
    rowInputs().forEach(function (input) {
      var match = /^rows\[(\d+)\]\[(\w+)\]$/.exec(input.name);
      if (match && match[2] !== "service_date" && input.value.trim()) rows[match[1]] = true;
    });
    return Object.keys(rows).length;
  }
  function clearRows() {
    rowInputs().forEach(function (input) { if (!/\[service_date\]$/.test(input.name)) input.value = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("tbody small, tbody p.error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("tr.has-error"), function (tr) { tr.classList.remove("has-error"); });
  }
  // What was typed, back into a form of fields: the chosen radio or box ticked, the rest by value.
  function fillForm(pairs) {
    form.reset();
    pairs.forEach(function (pair) {
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + pair[0].replace(/'/g, "\\'") + "']"), function (el) {
        if (el.type === "radio" || el.type === "checkbox") { if (el.value === pair[1]) el.checked = true; } else el.value = pair[1];
      });
    });
  }
  function fill(pairs) {
    pairs.forEach(function (pair) {
      var el = form.elements.namedItem(pair[0]);
      if (el && el.type !== "submit") el.value = pair[1];
    });
  }

  // ---- Drafts of a form of rows: what is typed, kept as it is typed; brought back when the page opens blank.
  var saving;
  form.addEventListener("input", function () {
    if (!rowForm) return;
    clearTimeout(saving);
    saving = setTimeout(function () {
      var draft = { scope: scope, user: user, fields: fields() };
      store("drafts", "readwrite", function (s) { if (typedRows()) s.put(draft); else s.delete(scope); }).catch(function () {});
    }, 300);
  });
  function restoreDraft() {
    if (!rowForm || typedRows()) return Promise.resolve();
    return store("drafts", "readonly", function (s) { return s.get(scope); }).then(function (draft) {
      if (draft && draft.user === user) fill(draft.fields);
    });
  }
  function forgetDraft() { return store("drafts", "readwrite", function (s) { s.delete(scope); }); }

  // ---- Booking: the rows go to the outbox, then out.
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
  window.AsharOffline = { newKey: newKey };
  form.addEventListener("submit", function (event) {
    var only = form.dataset.offlineSubmit;
    if (only && (!event.submitter || event.submitter.value !== only)) return;
    if (rowForm && !typedRows()) return;
    event.preventDefault();
    var item = { key: newKey(), scope: scope, user: user, url: form.getAttribute("action"), fields: fields(), rows: rowForm ? typedRows() : 0,
                 submit: only, queuedAt: Date.now(), state: "waiting" };
    keep(item).then(function () {
      // A page's own script may start the next form itself (survey entry); otherwise the form empties here.
      var handled = !form.dispatchEvent(new CustomEvent("ashar:queued", { cancelable: true }));
      if (rowForm) { clearRows(); return forgetDraft(); }
      if (!handled) form.reset();
    }).then(show).then(send);
  });

  function send() {
    if (send.busy) return Promise.resolve();
    send.busy = true;
    return items().then(function (all) {
      var waiting = all.filter(function (item) { return item.state === "waiting" && item.user === user; });
      return waiting.reduce(function (chain, item) { return chain.then(function () { return deliver(item); }); }, Promise.resolve());
    }).catch(function () {}).then(function () { send.busy = false; return show(); });
  }

  function deliver(item) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    if (item.submit) body.set("action", item.submit);
    body.set("_csrf", form.querySelector("input[name=_csrf]").value);
    return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                             headers: { Accept: "application/json", "Idempotency-Key": item.key } })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (json && (response.status === 200 || response.status === 422)) {
          return response.json().then(function (answer) {
            offline(false);
            if (answer.booked) say(answer.message);
            if (!answer.refused.length) return drop(item.key);
            item.state = "refused";
            item.refused = answer.refused;
            return keep(item);
          });
        }
        // Logged out (a redirect to the login page) or the server failing: it waits, with why.
        item.problem = response.type === "opaqueredirect" || response.status === 403 ? "login" : "server";
        offline(false);
        return keep(item);
      }, function () { offline(true); });
  }

  // ---- What the office sees: the connection, and each batch waiting or refused.
  function say(message) {
    var notice = document.getElementById("outbox-notice");
    notice.textContent = message;
    notice.hidden = !message;
  }
  function offline(yes) { document.getElementById("outbox-offline").hidden = !yes; }

  function show() {
    return items().then(function (all) {
      var list = box.querySelector("ul");
      list.textContent = "";
      box.querySelector("h2").hidden = !all.length;
      all.forEach(function (item) {
        var li = document.createElement("li");
        li.className = item.state;
        var time = new Date(item.queuedAt).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Asia/Bishkek" });
        var line = document.createElement("p");
        var state = item.user !== user ? text.otherUser : item.state === "refused" ? text.refused
          : item.problem === "login" ? text.login : text.waiting;
        var what = item.rows ? text.rows + ": " + (item.state === "refused" ? item.refused.length : item.rows) : text.item;
        line.textContent = time + " · " + what + " · " + state;
        li.appendChild(line);
        if (item.state === "refused") {
          item.refused.forEach(function (r) {
            // A row: its slip and members, then what is wrong; a form: each problem on its own line.
            var lines = r.row ? [[r.row.slip_number, r.row.provider + " → " + r.row.recipient].filter(Boolean).join(" · ") + ": " + r.errors.join(" ")]
              : r.errors;
            lines.forEach(function (message) {
              var p = document.createElement("p");
              p.className = "error";
              p.textContent = message;
              li.appendChild(p);
            });
          });
          li.appendChild(button(text.restore, "", function () { restore(item); }));
          li.appendChild(button(text.discard, "secondary", function () { if (window.confirm(text.discardConfirm)) drop(item.key).then(show); }));
        }
        list.appendChild(li);
      });
    });
  }
  function button(label, style, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = style;
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  }
  // The refused rows back in the form's first rows (another form: what was typed, to its own script),
  // to be put right and sent again under a new key.
  function restore(item) {
    if (!rowForm) {
      if (form.dispatchEvent(new CustomEvent("ashar:restore", { detail: item.fields, cancelable: true }))) fillForm(item.fields);
      return drop(item.key).then(show);
    }
    clearRows();
    item.refused.forEach(function (r, index) {
      Object.keys(r.row).forEach(function (field) {
        var el = form.elements.namedItem("rows[" + index + "][" + field + "]");
        if (el && r.row[field] != null) el.value = r.row[field];
      });
      var cell = form.querySelectorAll("tbody tr")[index];
      if (cell) {
        cell.classList.add("has-error");
        var p = document.createElement("p");
        p.className = "error";
        p.textContent = r.errors.join(" ");
        cell.lastElementChild.appendChild(p);
      }
    });
    drop(item.key).then(show);
  }

  window.addEventListener("online", send);
  window.addEventListener("offline", function () { offline(true); });
  offline(!navigator.onLine);
  setInterval(send, 20000);
  restoreDraft().catch(function () {}).then(show).then(send);
})();
