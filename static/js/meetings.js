/* chibo meetings: a live attendance tally and reasons shown only for absences.
   The form works without this file; it only makes the phone screen shorter and clearer. */
(function () {
  "use strict";

  function update(form) {
    var rows = form.querySelectorAll(".attendance-row");
    var present = 0;
    rows.forEach(function (row) {
      var checked = row.querySelector("input[type=radio]:checked");
      var value = checked ? checked.value : "present";
      if (value === "present") present += 1;
      var reason = row.querySelector(".reason");
      if (reason) reason.classList.toggle("reason-hidden", value === "present");
    });
    var tally = document.getElementById("tally");
    if (tally && rows.length) {
      var rate = Math.round((100 * present) / rows.length);
      tally.textContent = present + "/" + rows.length + " " + tally.dataset.presentLabel + " (" + rate + "%)";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".meeting-form");
    if (!form) return;
    form.classList.add("js");
    form.addEventListener("change", function (event) {
      if (event.target.matches(".attendance-row input[type=radio]")) update(form);
    });
    update(form);
  });
})();
