// Claim view: select words in the context to move the claim's span; click inside the claim's words to split there.
// Offsets count characters of the stored text, which the page renders verbatim (line ends are normalised at ingest).
(function () {
  "use strict";

  function spanSelection() {
    const context = document.getElementById("span-text");
    const form = document.getElementById("span-form");
    if (!context || !form) return;
    const span = window.WorkbenchSelection.selectedSpan(context, parseInt(context.dataset.offset, 10));
    if (!span) { form.hidden = true; return; }
    form.elements.start.value = span.start;
    form.elements.end.value = span.end;
    form.querySelector("[data-span-preview]").textContent = span.range.toString();
    form.hidden = false;
  }

  function caretAt(x, y) {
    if (document.caretPositionFromPoint) {
      const position = document.caretPositionFromPoint(x, y);
      return position ? { node: position.offsetNode, offset: position.offset } : null;
    }
    if (document.caretRangeFromPoint) {
      const range = document.caretRangeFromPoint(x, y);
      return range ? { node: range.startContainer, offset: range.startOffset } : null;
    }
    return null;
  }

  document.addEventListener("click", function (event) {
    const quote = event.target.closest && event.target.closest("#claim-quote");
    const form = document.getElementById("split-form");
    if (!quote || !form || !window.getSelection().isCollapsed) return;
    const caret = caretAt(event.clientX, event.clientY);
    if (!caret || !quote.contains(caret.node)) return;
    const at = window.WorkbenchSelection.offsetWithin(quote, caret.node, caret.offset);
    const text = quote.textContent;
    if (at <= 0 || at >= text.length) return;
    form.elements.at.value = at;
    form.closest("details").open = true;
    form.querySelector("[data-split-preview]").textContent = "“" + text.slice(0, at).trim() + "” | “" + text.slice(at).trim() + "”";
    form.querySelector("button[type=submit]").focus({ preventScroll: true });
  });

  document.addEventListener("selectionchange", spanSelection);
})();
