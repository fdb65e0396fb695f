// Podium's own script for every page. Pages are rendered on the server; this
// only wires htmx to the session's CSRF token (no inline scripts: see the CSP).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  }

  // Every htmx request that changes something carries the token in the header
  // the server checks (X-CSRF-Token), for web routes and the API alike.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token && event.detail.verb !== "get") {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });
})();
