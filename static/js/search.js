// Facets start folded (a phone shows results first); on a wide screen they sit
// beside the results, so unfold them there.
document.querySelectorAll(".facet-box").forEach(function (box) {
  if (window.matchMedia("(min-width: 60rem)").matches) box.open = true;
});
