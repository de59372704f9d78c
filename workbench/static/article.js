// Article view: turn a text selection inside the article into a claim, keeping its exact character span.
(function () {
  "use strict";

  function offsetWithin(root, node, offset) {
    // Characters of the article's text before (node, offset): the same count as in the stored text,
    // because the article is rendered verbatim (highlights are links around the same characters).
    const range = document.createRange();
    range.setStart(root, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function update() {
    const article = document.getElementById("article-text");
    const form = document.getElementById("selection-form");
    if (!article || !form) return;
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) { form.hidden = true; return; }
    const range = selection.getRangeAt(0);
    if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) { form.hidden = true; return; }
    const start = offsetWithin(article, range.startContainer, range.startOffset);
    const end = offsetWithin(article, range.endContainer, range.endOffset);
    if (end <= start) { form.hidden = true; return; }
    form.elements.start.value = start;
    form.elements.end.value = end;
    form.hidden = false;
  }

  document.addEventListener("selectionchange", update);
})();
