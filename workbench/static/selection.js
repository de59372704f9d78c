// Shared by the article and claim views: character offsets of a text selection inside a rendered text.
// The text is rendered verbatim (highlights are elements around the same characters), so counting the
// characters of a DOM range gives the same offsets as the stored text.
(function () {
  "use strict";

  function offsetWithin(root, node, offset) {
    const range = document.createRange();
    range.setStart(root, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  // The current selection inside root as {start, end, range} (offsets plus base), or null when there is none.
  function selectedSpan(root, base) {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
    const start = base + offsetWithin(root, range.startContainer, range.startOffset);
    const end = base + offsetWithin(root, range.endContainer, range.endOffset);
    return end > start ? { start: start, end: end, range: range } : null;
  }

  window.WorkbenchSelection = { offsetWithin: offsetWithin, selectedSpan: selectedSpan };
})();
