/* Wide tables scroll sideways in their own box (.table-scroll: templates/includes/chart.html,
   the search help's syntax table). A box that scrolls is a named region a keyboard can
   reach and scroll, and its hint (.scroll-hint, just before it) is shown; a box the table
   fits is neither, so it is no empty Tab stop. Without this script every box stays
   focusable, as rendered. */
(function () {
  "use strict";

  function fit(box) {
    if (!box.getClientRects().length) return; // inside a closed <details>: measured when opened
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (!box.hasAttribute("data-label")) box.setAttribute("data-label", box.getAttribute("aria-label") || "");
    if (scrolls) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", box.getAttribute("data-label"));
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
    var hint = box.previousElementSibling;
    if (hint && hint.classList.contains("scroll-hint")) hint.hidden = !scrolls;
  }

  function fitAll() {
    document.querySelectorAll(".table-scroll").forEach(fit);
  }

  fitAll();
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(fitAll, 100);
  });
  // A table folded in a <details> (the results page's chart) is measured when opened.
  document.addEventListener("toggle", fitAll, true);
})();
