/* The one HTML-escaping helper of our scripts: every formatter or label that builds HTML from
   data (unit names, labels, figures) passes each value through jz.escapeHtml. */
(function () {
  "use strict";
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  window.jz = window.jz || {};
  window.jz.escapeHtml = function (value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  };
}());
