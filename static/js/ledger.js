/* The reporter's week page: nothing typed is lost.
   - each row is saved as a draft as it is typed (debounced POST to the row's data-autosave
     URL, validated by the same form and rules as the full save); its state reads
     已保存 / 保存中 / 未保存, and so does the page's;
   - what is typed and not yet saved is kept in localStorage (key: user + period) until the
     server has it, so a reload, a crash or an expired session loses nothing: the page puts
     the kept values back on load and saves them;
   - an autosave answered by the login page (session expired) says so, with a link to sign in
     again that returns here;
   - leaving with unsaved rows asks first;
   - evidence uploads go through htmx (forms in _evidence_forms.html), swapping only the
     row's evidence list;
   - the live 本周增量 and the plausibility note follow the typed figure;
   - each row posts the entry's version it saw: a row changed meanwhile (another tab, another
     person) is refused with who changed what, shown beside the row. */
(function () {
  "use strict";
  var form = document.getElementById("ledger-form");
  if (!form) { return; }
  var esc = window.jz.escapeHtml;
  var DELAY = 700;  // ms after the last keystroke
  var FACTOR = 3;   // campaigns/plausibility.py FACTOR
  var storageKey = form.dataset.storageKey;
  var loginPath = form.dataset.loginPath;
  var rows = {};    // indicator id -> {main, url, timer, state, sending, again}
  var expired = false;
  var leaving = false;

  function kept() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "{}"); } catch (e) { return {}; }
  }
  function keep(values) {
    try {
      if (Object.keys(values).length) { window.localStorage.setItem(storageKey, JSON.stringify(values)); }
      else { window.localStorage.removeItem(storageKey); }
    } catch (e) { /* storage full or disabled: autosave still works */ }
  }

  function fieldsOf(id) {
    var prefix = "e" + id + "-";
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name.indexOf(prefix) === 0;
    });
  }
  // The entry's version the page last saw (campaigns/versions.py): posted with each save,
  // taken from each successful answer, never kept in localStorage (a reload brings a newer one).
  function isVersion(name) { return /-version$/.test(name); }
  function typedFieldsOf(id) {
    return fieldsOf(id).filter(function (el) { return !isVersion(el.name); });
  }
  function indicatorOf(el) {
    var match = /^e(\d+)-/.exec(el.name || "");
    return match ? match[1] : null;
  }

  var LABELS = { saved: "已保存", saving: "保存中…", dirty: "未保存", error: "未保存（有误）" };
  function setState(id, state) {
    var row = rows[id];
    row.state = state;
    var badge = row.main.querySelector(".jz-row-state");
    if (badge) { badge.dataset.state = state; badge.textContent = LABELS[state]; }
    pageState();
  }
  function pageState() {
    var badge = document.getElementById("jz-page-state");
    if (!badge) { return; }
    var states = Object.keys(rows).map(function (id) { return rows[id].state; });
    var unsaved = states.filter(function (s) { return s === "dirty" || s === "error"; }).length;
    var state = unsaved ? "dirty" : (states.indexOf("saving") >= 0 ? "saving" : "saved");
    badge.dataset.state = state;
    badge.textContent = unsaved ? "未保存 " + unsaved + " 项" : LABELS[state];
  }
  function anyUnsaved() {
    return Object.keys(rows).some(function (id) { return rows[id].state !== "saved"; });
  }

  function clearErrors(id) {
    var row = rows[id];
    [row.main, row.main.nextElementSibling].forEach(function (tr) {
      if (!tr) { return; }
      tr.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
      tr.querySelectorAll(".invalid-feedback, .jz-row-error").forEach(function (el) { el.remove(); });
    });
  }
  function showErrors(id, errors, message) {
    clearErrors(id);
    var row = rows[id];
    Object.keys(errors).forEach(function (anchor) {
      var el = document.getElementById(anchor);
      var text = errors[anchor].join("；");
      if (!el || el.tagName === "TR") {
        row.main.querySelector(".jz-name").insertAdjacentHTML(
          "beforeend", '<div class="small text-danger jz-row-error">' + esc(text) + "</div>");
        return;
      }
      el.classList.add("is-invalid");
      el.insertAdjacentHTML("afterend", '<div class="invalid-feedback">' + esc(text) + "</div>");
      var details = el.closest("details");
      if (details) { details.open = true; }
      var note = el.closest(".jz-note");
      if (note) { note.hidden = false; }
    });
    if (message && !Object.keys(errors).length) {
      row.main.querySelector(".jz-name").insertAdjacentHTML(
        "beforeend", '<div class="small text-danger jz-row-error">' + esc(message) + "</div>");
    }
  }

  function showExpired() {
    expired = true;
    var box = document.getElementById("jz-expired");
    if (box) { box.hidden = false; }
    Object.keys(rows).forEach(function (id) {
      if (rows[id].state !== "saved") { setState(id, "dirty"); }
    });
  }

  function snapshot(id) {
    var values = {};
    fieldsOf(id).forEach(function (el) { values[el.name] = el.value; });
    return values;
  }

  function save(id) {
    var row = rows[id];
    if (expired) { return; }
    if (row.sending) { row.again = true; return; }
    var sent = snapshot(id);
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    Object.keys(sent).forEach(function (name) { body.append(name, sent[name]); });
    row.sending = true;
    setState(id, "saving");
    fetch(row.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                     headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403 ||
            (response.redirected && response.url.indexOf(loginPath) >= 0)) {
          showExpired();
          return null;
        }
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (answer) {
        row.sending = false;
        if (!answer) { return; }
        if (answer.data.ok) {
          clearErrors(id);
          var values = kept();
          Object.keys(sent).forEach(function (name) {
            if (values[name] === sent[name]) { delete values[name]; }
          });
          keep(values);
          var changed = Object.keys(sent).some(function (name) { return form.elements[name].value !== sent[name]; });
          var version = form.elements["e" + id + "-version"];
          if (version && answer.data.version) { version.value = String(answer.data.version); }
          setState(id, changed ? "dirty" : "saved");
          if (changed || row.again) { row.again = false; schedule(id); }
        } else {
          showErrors(id, answer.data.errors || {}, answer.data.message);
          setState(id, "error");
          if (row.again) { row.again = false; schedule(id); }
        }
      })
      .catch(function () {
        row.sending = false;
        setState(id, "dirty");
        row.timer = window.setTimeout(function () { save(id); }, 10000);  // offline: try again
      });
  }

  function schedule(id) {
    var row = rows[id];
    window.clearTimeout(row.timer);
    row.timer = window.setTimeout(function () { save(id); }, DELAY);
  }

  function increment(id) {
    var main = rows[id].main;
    var input = main.querySelector(".jz-value");
    if (!input) { return; }
    var cell = main.querySelector(".jz-increment");
    var last = parseFloat(main.querySelector("[data-last]").dataset.last);
    var now = parseFloat(input.value.replace(/[,，\s]/g, ""));
    if (!isNaN(now)) {
      var target = parseFloat(main.dataset.target);
      var note = main.querySelector(".jz-note");
      var textarea = note && note.querySelector("textarea");
      if (note && !isNaN(target) && target > 0) {
        note.hidden = !(now > FACTOR * target) && !(textarea && textarea.value);
      }
    }
    if (isNaN(last) || isNaN(now)) { cell.textContent = "—"; cell.classList.remove("text-danger"); return; }
    var diff = Math.round((now - last) * 10000) / 10000;
    cell.textContent = String(diff);
    cell.classList.toggle("text-danger", diff < 0);
  }

  function typed(event) {
    var el = event.target;
    var id = indicatorOf(el);
    if (!id || !rows[id]) { return; }
    var values = kept();
    values[el.name] = el.value;
    keep(values);
    increment(id);
    if (rows[id].state !== "saving") { setState(id, "dirty"); }
    schedule(id);
  }

  document.querySelectorAll("#ledger-form tr.jz-main[data-autosave]").forEach(function (main) {
    rows[main.dataset.indicator] = { main: main, url: main.dataset.autosave, timer: null, state: "saved" };
  });
  Object.keys(rows).forEach(increment);
  form.addEventListener("input", typed);
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") { typed(event); }  // text boxes report "input"
  });

  // Put back what was kept and not saved (after a reload, a crash or a new sign-in).
  var values = kept();
  Object.keys(values).forEach(function (name) {
    var el = form.elements[name];
    var id = el && indicatorOf(el);
    if (!el || !rows[id] || isVersion(name)) { delete values[name]; return; }
    if (el.value === values[name] && !document.getElementById("jz-errors")) { delete values[name]; return; }
    el.value = values[name];
    increment(id);
    setState(id, "dirty");
    schedule(id);
  });
  keep(values);
  // A refused full save shows what was typed but saved nothing: keep it, and save the rows
  // without errors now; the rows with errors wait for their correction.
  if (document.getElementById("jz-errors")) {
    Object.keys(rows).forEach(function (id) {
      typedFieldsOf(id).forEach(function (el) { values[el.name] = el.value; });
      var bad = rows[id].main.querySelector(".is-invalid, .jz-row-error") ||
        (rows[id].main.nextElementSibling && rows[id].main.nextElementSibling.querySelector(".is-invalid"));
      setState(id, bad ? "error" : "dirty");
      if (!bad) { schedule(id); }
    });
    keep(values);
    var summary = document.getElementById("jz-errors");
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      var details = target && target.closest("details");
      if (details) { details.open = true; }
      if (target && target.focus) { window.setTimeout(function () { target.focus(); }, 0); }
    });
  }

  form.addEventListener("submit", function () { leaving = true; });
  var relogin = document.getElementById("jz-relogin");
  if (relogin) { relogin.addEventListener("click", function () { leaving = true; }); }
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !anyUnsaved()) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  // Evidence: choosing a photo or file uploads it at once (htmx posts the entry's form);
  // so does choosing a filled-in workbook (a plain form: the page reloads with its result).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.classList && input.classList.contains("jz-autosubmit") && input.files.length) {
      leaving = true;
      input.form.requestSubmit();
      return;
    }
    if (!input.classList || !input.classList.contains("jz-evidence-input") || !input.files.length) { return; }
    var owner = document.getElementById(input.getAttribute("form"));
    if (owner) { owner.requestSubmit(); }
  });
  // An upload answered by the login page: the session expired; keep the page as it is.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if ((xhr.responseURL && xhr.responseURL.indexOf(loginPath) >= 0) || xhr.status === 403) {
      event.detail.shouldSwap = false;
      showExpired();
    }
  });
}());
