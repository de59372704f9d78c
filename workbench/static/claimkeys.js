// Claim page keys: j/k next/previous claim (in the queue you came from, filters kept), 1–8 choose a status and
// focus the rationale, e evidence, n note, g then q back to the queue, ? lists the keys.
(function () {
  "use strict";
  const STATUSES = ["unverified", "in_progress", "verified", "mostly_accurate", "misleading", "false",
                    "unverifiable", "not_checkable"];
  let pendingG = false;

  function follow(selector) {
    const link = document.querySelector(selector);
    if (link) link.click();
  }

  function focusField(id) {
    const field = document.getElementById(id);
    if (!field) return;
    const details = field.closest("details");
    if (details) details.open = true;
    field.focus();
    field.scrollIntoView({ block: "center" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "q") { follow("[data-back-to-queue]") ; if (!document.querySelector("[data-back-to-queue]")) location.href = "/claims"; event.preventDefault(); }
      return;
    }
    if (key === "j") follow('.claim-nav a[rel="next"]');
    else if (key === "k") follow('.claim-nav a[rel="prev"]');
    else if (key === "g") pendingG = true;
    else if (key === "e") focusField("evidence-url");
    else if (key === "n") focusField("note-body");
    else if (key === "?") { const dialog = document.getElementById("claim-shortcuts"); if (dialog) dialog.showModal(); }
    else if (/^[1-8]$/.test(key)) {
      const select = document.getElementById("status");
      if (!select) return;
      select.value = STATUSES[Number(key) - 1];
      focusField(Number(key) <= 2 ? "status" : "rationale");
    }
    else return;
    event.preventDefault();
  });
})();
