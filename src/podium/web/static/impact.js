// The impact page: a searchable task chooser (Tom Select over the plain
// <select>, which keeps working without it) and the days field's label that
// follows the kind of change. The form itself is plain htmx.
(function () {
  "use strict";

  var form = document.querySelector(".im-form");
  if (!form) return;
  var select = form.querySelector("#im-task");
  var days = form.querySelector("#im-days");
  var daysLabel = form.querySelector("#im-days-label");

  if (window.TomSelect && select) {
    // eslint-disable-next-line no-new
    new window.TomSelect(select, {
      maxOptions: 200,
      // filter as the user types: with Tom Select's default 300 ms wait, an Enter
      // pressed sooner chose from the unfiltered list, and the late filtering then
      // opened the list again over the form
      refreshThrottle: 0,
      closeAfterSelect: true,
      allowEmptyOption: false,
      placeholder: select.dataset.placeholder,
      searchField: ["text"],
      plugins: [],
      render: {
        no_results: function () {
          return '<div class="no-results">No task matches</div>';
        },
      },
      onChange: function (value) {
        // the native select is what htmx sends; keep it in step
        select.value = value;
      },
    });
    // the search box is the chooser now, and the label names it; the select it hides
    // only carries the value, so screen readers skip it rather than meet a second,
    // nameless "Task"
    select.setAttribute("aria-hidden", "true");
  }

  function follow() {
    var kind = form.querySelector('input[name="kind"]:checked');
    var isSlip = !kind || kind.value === "slip";
    daysLabel.textContent = isSlip ? "Slip (working days)" : "New duration (working days)";
    days.min = isSlip ? "1" : "0";
    if (!isSlip && select && select.selectedOptions.length && select.selectedOptions[0].dataset.duration && form.dataset.touched !== "days") {
      days.value = select.selectedOptions[0].dataset.duration;
    }
  }
  form.addEventListener("change", function (e) {
    if (e.target === days) form.dataset.touched = "days";
    follow();
  });
  days.addEventListener("input", function () {
    form.dataset.touched = "days";
  });
  follow();
})();
