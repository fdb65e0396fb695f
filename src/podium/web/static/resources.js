// The resource heatmap: a cell's link opens its tasks below the table, in place
// (the link still works as a page of its own without JavaScript).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".rs-heatmap a[href*='/resources/cell']");
    if (!link || !window.htmx || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    var selected = document.querySelector(".rs-cell--selected");
    if (selected) {
      selected.classList.remove("rs-cell--selected");
    }
    link.parentElement.classList.add("rs-cell--selected");
    window.htmx.ajax("GET", link.getAttribute("href"), { target: "#rs-drill", swap: "innerHTML" });
  });
})();
