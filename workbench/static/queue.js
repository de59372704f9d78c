// Review queue keyboard shortcuts: j/k move, x selects, 1–8 set a status, a assigns to me,
// Enter/o opens, / focuses search, ? lists the shortcuts. Plain script, no build step.
(function () {
  "use strict";
  const STATUSES = ["unverified", "in_progress", "verified", "mostly_accurate", "misleading", "false",
                    "unverifiable", "not_checkable"];
  let current = null;

  function rows() { return Array.from(document.querySelectorAll("#queue-results tr.claim-row")); }

  function focusRow(row) {
    if (!row) return;
    if (current) current.classList.remove("current");
    current = row;
    row.classList.add("current");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = current ? all.indexOf(current) : -1;
    focusRow(all[Math.max(0, Math.min(all.length - 1, index + step))] || all[0]);
  }

  function updateCount() {
    const counter = document.querySelector("[data-selected-count]");
    if (counter) counter.textContent = document.querySelectorAll('#queue-results input[name="ids"]:checked').length;
  }

  function setStatus(row, number) {
    const form = row.querySelector("form.row-status");
    const select = form.querySelector("select[name=status]");
    select.value = STATUSES[number - 1];
    if (number <= 2) { htmx.trigger(form, "submit"); return; }
    const rationale = form.querySelector("input[name=rationale]");
    rationale.focus();  // a verdict needs its reason: Enter in this field saves
  }

  function assignToMe(row) {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const version = row.querySelector('input[name="version"]').value;
    htmx.ajax("POST", "/claims/" + row.dataset.claimId + "/assign",
              { target: row, swap: "outerHTML", values: { assignee: "me", version: version, csrf_token: token } });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (typing) {
      if (event.key === "Escape") { event.target.blur(); if (current) current.focus(); }
      return;
    }
    const key = event.key;
    if (key === "j") { move(1); }
    else if (key === "k") { move(-1); }
    else if (key === "/") { document.getElementById("q").focus(); }
    else if (key === "?") { document.getElementById("shortcuts").showModal(); }
    else if (!current) { return; }
    else if (key === "x") { const box = current.querySelector('input[name="ids"]'); box.checked = !box.checked; updateCount(); }
    else if (/^[1-8]$/.test(key)) { setStatus(current, Number(key)); }
    else if (key === "a") { assignToMe(current); }
    else if (key === "Enter" || key === "o") { current.querySelector("a.claim-link").click(); }
    else { return; }
    event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches('input[name="ids"]')) updateCount();
  });
  document.addEventListener("click", function (event) {
    const row = event.target.closest("#queue-results tr.claim-row");
    if (row) { if (current) current.classList.remove("current"); current = row; row.classList.add("current"); }
    if (event.target.closest("[data-show-shortcuts]")) document.getElementById("shortcuts").showModal();
  });
  // After htmx swaps a row, keep the keyboard position on the new element.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const swapped = event.detail.target;
    if (current && !document.body.contains(current)) {
      const replacement = swapped && swapped.id ? document.getElementById(swapped.id) : null;
      current = null;
      if (replacement && replacement.matches("tr.claim-row")) focusRow(replacement);
    }
    updateCount();
  });
})();
