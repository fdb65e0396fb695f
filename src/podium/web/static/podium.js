// Podium's own script for every page. Pages are rendered on the server; this
// only wires htmx to the session's CSRF token and keeps keyboard focus where
// the user is after a part of the page is replaced (no inline scripts: see the CSP).
(function () {
  "use strict";

  // Text people typed, made safe to put into HTML that a script builds (a chart's
  // tooltip is HTML): every page script escapes names and units with this one.
  window.podiumEscape = function (text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };

  // A refused form is drawn again in answer to its POST, so the address bar shows the
  // form's action, which answers only POST: put back the page it was sent from, so that
  // reloading or sharing the address opens the page (data-page-url, set by the server).
  var pageUrl = document.body && document.body.getAttribute("data-page-url");
  if (pageUrl && window.history && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", pageUrl);
  }

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

  // A select marked data-autosubmit sends its form when a choice is made (inline
  // onchange handlers are blocked by the CSP); without scripts the form's button does.
  document.addEventListener("change", function (event) {
    var field = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
    if (field && field.form) {
      field.form.requestSubmit();
    }
  });

  // After a swap, focus the first field with an error, else the element the
  // server marked (an opened form's first field, a confirm button, a message).
  function focusWhereTheUserIs() {
    var target =
      document.querySelector('[aria-invalid="true"]') ||
      document.querySelector("[data-focus-after-swap]");
    if (target) {
      target.removeAttribute("data-focus-after-swap");
      target.focus();
    }
  }
  // The new part settles a moment after it is swapped in (htmx's settle delay). If
  // the person has gone on in the meantime (clicked or typed into another field),
  // the focus stays where they put it: moving it then would send their typing into
  // the wrong field.
  var focusAtSwap = null;
  document.addEventListener("htmx:afterSwap", function () {
    focusAtSwap = document.activeElement;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var movedSinceSwap = focusAtSwap !== null && document.activeElement !== focusAtSwap;
    focusAtSwap = null;
    if (movedSinceSwap) {
      var marked = document.querySelector("[data-focus-after-swap]");
      if (marked) {
        marked.removeAttribute("data-focus-after-swap");
      }
      return;
    }
    focusWhereTheUserIs();
  });

  // A whole page drawn again after a refused form does the same, unless the page
  // already put focus somewhere (autofocus).
  if (!document.activeElement || document.activeElement === document.body) {
    focusWhereTheUserIs();
  }
})();
