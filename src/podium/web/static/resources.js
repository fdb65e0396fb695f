// Resources: a load cell's link opens its tasks in place (the program's heatmap and a
// resource's own strip; the link still works as a page of its own without JavaScript),
// a load table wider than the screen says so, the time off form adds rows, and the
// leveling form shows its weights with the optimal method.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link =
      event.target.closest &&
      event.target.closest(".rs-heatmap a[href*='/resources/cell'], a[data-drill]");
    if (!link || !window.htmx || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    var selected = document.querySelector(".rs-cell--selected");
    if (selected) {
      selected.classList.remove("rs-cell--selected");
    }
    link.parentElement.classList.add("rs-cell--selected");
    var target = link.getAttribute("data-drill") || "#rs-drill";
    window.htmx.ajax("GET", link.getAttribute("href"), { target: target, swap: "innerHTML" });
  });

  // A scrolled table's frame says which of its edges hide more (data-more="left right"),
  // and its card whether it scrolls at all: for the shadows and the hint that say there
  // is more to see sideways.
  function markEdges(box) {
    var more = [];
    if (box.scrollLeft > 1) {
      more.push("left");
    }
    if (box.scrollLeft + box.clientWidth < box.scrollWidth - 1) {
      more.push("right");
    }
    box.parentElement.setAttribute("data-more", more.join(" "));
    var card = box.closest(".card");
    if (card) {
      card.classList.toggle("rs-scrolls", box.scrollWidth > box.clientWidth + 1);
    }
  }
  function markAll() {
    document.querySelectorAll("[data-scroll-cue]").forEach(markEdges);
  }
  document.addEventListener(
    "scroll",
    function (event) {
      if (event.target.hasAttribute && event.target.hasAttribute("data-scroll-cue")) {
        markEdges(event.target);
      }
    },
    true
  );
  window.addEventListener("resize", markAll);
  // a swapped-in load table (a refused Apply redraws it out of band) is marked at once
  document.addEventListener("htmx:afterSettle", markAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markAll);
  } else {
    markAll();
  }

  // "Add a row": a copy of the last row of the table named by data-add-row, its fields
  // blank and numbered next (time_off_2_start → time_off_3_start), up to data-max rows.
  function addRow(button) {
    var box = document.getElementById(button.getAttribute("data-add-row"));
    var rows = box ? box.querySelectorAll("tbody tr") : [];
    if (!rows.length) {
      return;
    }
    var last = rows[rows.length - 1];
    var from = Number(last.getAttribute("data-row"));
    var next = from + 1;
    var row = last.cloneNode(true);
    row.setAttribute("data-row", String(next));
    row.querySelectorAll(".field__error").forEach(function (error) {
      error.remove();
    });
    row.querySelectorAll("td").forEach(function (cell) {
      cell.classList.remove("field--invalid");
    });
    row.querySelectorAll("input").forEach(function (input) {
      var number = new RegExp("_" + from + "_");
      input.name = input.name.replace(number, "_" + next + "_");
      input.id = input.id.replace(number, "_" + next + "_");
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      var label = input.getAttribute("aria-label");
      if (label) {
        input.setAttribute("aria-label", label.replace(/\d+$/, String(next + 1)));
      }
    });
    last.parentNode.appendChild(row);
    var first = row.querySelector("input");
    if (first) {
      first.focus();
    }
    var max = Number(button.getAttribute("data-max") || "0");
    if (max && next + 1 >= max) {
      button.disabled = true;
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-add-row]");
    if (button) {
      event.preventDefault();
      addRow(button);
    }
  });
  // The leveling form's weights count with the optimal method only: shown with it, and
  // hidden and disabled (so sent with nothing) with the heuristic.
  document.addEventListener("change", function (event) {
    var method = event.target;
    var form = method.closest && method.name === "method" && method.closest(".rs-level-form");
    var weights = form && form.querySelector("[data-weights]");
    if (weights) {
      weights.hidden = weights.disabled = method.value !== "optimal";
    }
  });

  document.querySelectorAll("button[data-add-row]").forEach(function (button) {
    button.hidden = false;
  });
})();
