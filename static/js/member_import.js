/* chibo member import: while the upload or the commit of a large file runs (a plain form post,
   which works without this file), show how far it has got by polling the progress fragment. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-import-progress]")) return;
    var box = document.getElementById(form.dataset.importProgress);
    var button = form.querySelector("button[type=submit]");
    if (button) {
      // After this event the browser has taken the form's data: a second click would send it twice.
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
    if (!box || !window.htmx) return;
    box.classList.remove("d-none");
    box.setAttribute("hx-trigger", "every 1s");
    window.htmx.process(box);
  });
})();
