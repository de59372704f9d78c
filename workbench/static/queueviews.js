// The queue's views bar, row layout and filters disclosure. Plain script, no build step.
// - "Save view" keeps the filters on screen: its hidden query follows the URL htmx pushes after each filter change.
// - The compact/comfortable toggle answers with itself; the results' container takes the chosen layout's class.
// - On a phone the filters fold behind their "Filters" summary so the first claim shows; wider screens keep them open.
(function () {
  "use strict";
  function syncQuery() {
    document.querySelectorAll("[data-current-query]").forEach(function (input) {
      const params = new URLSearchParams(location.search);
      params.delete("after");
      params.delete("before");
      input.value = params.toString();
    });
  }
  document.body.addEventListener("htmx:pushedIntoHistory", syncQuery);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "queue-views") syncQuery();
    const toggle = document.getElementById("density-toggle");
    const area = document.getElementById("queue-area");
    if (toggle && area && event.target.id === "density-toggle") {
      area.classList.remove("density-compact", "density-comfortable");
      area.classList.add("density-" + toggle.dataset.density);
    }
  });

  const narrow = window.matchMedia("(max-width: 760px)");
  function fold() {
    document.querySelectorAll("details[data-narrow-closed]").forEach(function (details) {
      details.open = !narrow.matches;
    });
  }
  fold();
  narrow.addEventListener("change", fold);
})();
