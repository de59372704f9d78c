// Article view: turn a text selection inside the article into a claim, keeping its exact character span.
(function () {
  "use strict";

  function update() {
    const article = document.getElementById("article-text");
    const form = document.getElementById("selection-form");
    if (!article || !form) return;
    const span = window.WorkbenchSelection.selectedSpan(article, 0);
    if (!span) { form.hidden = true; return; }
    form.elements.start.value = span.start;
    form.elements.end.value = span.end;
    form.hidden = false;
  }

  document.addEventListener("selectionchange", update);
})();
