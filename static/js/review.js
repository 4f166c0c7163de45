/* The review queue: select all, the 核减 / 退回 panels (<details> opened over the page), and
   what to say when an htmx row action does not come back as a row. The rows themselves are
   swapped by htmx (hx-post on each row's forms); everything here only builds fixed text. */
(function () {
  "use strict";

  // Looked up each time: an htmx answer replaces the box out of band.
  function messageBox() { return document.getElementById("review-messages"); }

  function say(level, text, link) {
    var messages = messageBox();
    if (!messages) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-" + level + " alert-dismissible shadow mb-2";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.className = "alert-link ms-1";
      anchor.textContent = link.text;
      alert.appendChild(anchor);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "关闭");
    alert.appendChild(close);
    messages.replaceChildren(alert);
  }

  // 全选: ticks the pending rows only (other rows carry no checkbox).
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-jz-pick-all]");
    if (!all) { return; }
    document.querySelectorAll(".jz-pick").forEach(function (box) { box.checked = all.checked; });
  });

  // One panel at a time; the first field takes the focus; 取消 and Esc close it.
  function closePanels(except) {
    document.querySelectorAll("details.jz-pop[open]").forEach(function (details) {
      if (details !== except) { details.open = false; }
    });
  }

  function focusPanel(details) {
    var field = details.querySelector(".is-invalid") ||
      details.querySelector("input:not([type=hidden]), textarea");
    if (field) { field.focus(); }
  }

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details.jz-pop") || !details.open) { return; }
    closePanels(details);
    focusPanel(details);
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-jz-close]");
    if (button) { button.closest("details").open = false; }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closePanels(null); }
  });

  // After a row comes back, the focus goes to it (the clicked button is gone with the old
  // row); a refused form comes back open: the cursor goes to its marked field.
  var lastRow = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.detail.elt.closest("tr");
    lastRow = row ? row.id : null;
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var open = document.querySelector("details.jz-pop[open]");
    if (open) { focusPanel(open); return; }
    var row = lastRow && document.getElementById(lastRow);
    if (row) {
      row.setAttribute("tabindex", "-1");
      row.focus({ preventScroll: true });
    }
  });

  // Signed out meanwhile: the answer is the sign-in page, which must not land in the table.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var url = event.detail.xhr.responseURL || "";
    var box = messageBox();
    var login = box ? box.getAttribute("data-login-url") : "";
    if (login && url.indexOf(login) !== -1) {
      event.detail.shouldSwap = false;
      say("warning", "登录已过期，本条未处理。", {
        href: login + "?next=" + encodeURIComponent(location.pathname + location.search),
        text: "重新登录"
      });
    } else if (event.detail.xhr.status >= 400) {
      event.detail.shouldSwap = false;
      say("danger", "操作未完成（服务器拒绝了请求），请刷新页面后重试。");
    }
  });

  document.body.addEventListener("htmx:sendError", function () {
    say("danger", "网络连接失败，本条未处理，请稍后重试。");
  });
}());
