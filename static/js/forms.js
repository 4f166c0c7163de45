// Small form behaviours the templates ask for with data attributes instead of inline handlers
// (a Content-Security-Policy forbids those): data-autosubmit on a <select> submits its form when
// the choice changes; data-confirm on a button asks before it submits.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
