// Facets start folded (a phone shows results first); on a wide screen they sit
// beside the results, so unfold them there.
document.querySelectorAll(".facet-box").forEach(function (box) {
  if (window.matchMedia("(min-width: 60rem)").matches) box.open = true;
});

// Choosing a sort order reloads the results (no inline handler: the CSP allows none).
document.querySelectorAll("[data-submit-on-change]").forEach(function (field) {
  field.addEventListener("change", function () { field.form.submit(); });
});
