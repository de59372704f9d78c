// Review queue keyboard loop: j/k move, x selects, 1–8 set a status on the selection (else the cursor) and move
// on, a assigns to me, Enter/o opens, / searches, ? lists the keys. The cursor survives Back; the selection
// survives row updates. Plain script, no build step.
(function () {
  "use strict";
  const STATUSES = ["unverified", "in_progress", "verified", "mostly_accurate", "misleading", "false",
                    "unverifiable", "not_checkable"];
  const NEEDS_EVIDENCE = ["verified", "mostly_accurate", "misleading", "false"];
  const selected = new Set();  // claim ids, kept across row swaps
  let current = null;
  let lastChange = null;  // {id, status, rationale, at}: what "u" puts back within UNDO_MS
  const UNDO_MS = 10000;
  // A row carries what the loop needs in few bytes (templates/partials/_claim_row.html): the claim id in its id (c123),
  // data-v its version, data-s its status; the evidence count is the text of its sixth cell, and a row answering a
  // change carries the rationale that change replaced (data-was).
  const ROW_PREFIX = "c";
  const ROWS = "#queue-results tr[data-v]";

  function rows() { return Array.from(document.querySelectorAll(ROWS)); }
  function claimId(row) { return row.id.slice(ROW_PREFIX.length); }
  function claimLink(row) { return row.cells[1].querySelector("a"); }
  function evidenceCount(row) { return row.cells[5].textContent.trim(); }
  function showKeys() { document.getElementById("shortcuts").dispatchEvent(new Event("show-keys", { bubbles: true })); }
  function bar() { return document.getElementById("bulk"); }
  function placeKey() { return "queue-cursor:" + location.pathname + location.search; }

  function focusRow(row, scroll) {
    if (!row) return;
    if (current) current.classList.remove("current");
    current = row;
    row.classList.add("current");
    row.tabIndex = -1;  // focusable by script only (not on every row of the markup)
    row.focus({ preventScroll: true });
    if (scroll !== false) row.scrollIntoView({ block: "nearest" });
    try { sessionStorage.setItem(placeKey(), JSON.stringify({ id: claimId(row), y: window.scrollY })); } catch (e) { /* private mode */ }
    describeTarget();
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = current ? all.indexOf(current) : -1;
    focusRow(all[Math.max(0, Math.min(all.length - 1, index + step))] || all[0]);
  }

  function describeTarget() {
    const counter = document.querySelector("[data-selected-count]");
    if (counter) counter.textContent = selected.size;
    const acting = document.querySelector("[data-acting]");
    if (!acting) return;
    if (selected.size) acting.textContent = "On the selection";
    else if (current) acting.textContent = "On claim #" + claimId(current);
    else acting.textContent = "No claim chosen";
  }

  function say(message, isError) {
    const box = document.querySelector("[data-bar-message]");
    if (!box) return;
    box.textContent = message || "";
    box.classList.toggle("error-text", Boolean(isError));
  }

  function syncBoxes() {
    document.querySelectorAll('#queue-results input[name="ids"]').forEach(function (box) {
      box.checked = selected.has(box.value);
    });
    describeTarget();
  }

  function toggle(row) {
    const id = claimId(row);
    if (selected.has(id)) selected.delete(id); else selected.add(id);
    syncBoxes();
  }

  // One status change, on the selection (all or none, through the bulk action) or else on the cursor row.
  function applyStatus(status, rationale, undoing) {
    const form = bar();
    if (selected.size && !undoing) {
      form.querySelector("#bulk-status").value = status;
      form.querySelector('button[value="status"]').click();  // a whole-page answer with the flash message
      return;
    }
    if (!current) { say("Move to a claim with j/k or select some with x first.", true); return; }
    const row = current;
    const id = claimId(row);
    const before = { id: id, status: row.dataset.s };
    const token = document.querySelector('meta[name="csrf-token"]').content;
    htmx.ajax("POST", "/claims/" + id + "/status", {
      target: "#" + ROW_PREFIX + id, swap: "outerHTML",
      values: { status: status, rationale: rationale || "", version: row.dataset.v, csrf_token: token },
    }).then(function () {
      const fresh = document.getElementById(ROW_PREFIX + id);
      const problem = fresh && fresh.querySelector(".row-error, .conflict");
      if (problem) {
        focusRow(fresh);
        say("Not saved: " + problem.textContent.trim() + " Your rationale is kept below.", true);
        if (status !== "unverified" && status !== "in_progress") form.querySelector("#bulk-rationale").focus();
        return;
      }
      form.querySelector("#bulk-rationale").value = "";
      form.querySelector("#bulk-status").value = "";
      if (undoing) { lastChange = null; say("Undone: claim #" + id + " is back as it was (recorded in its history)."); focusRow(fresh); return; }
      // The answer carries the rationale this change replaced: undo puts it back with the status.
      lastChange = Object.assign(before, { rationale: (fresh && fresh.dataset.was) || "", at: Date.now() });
      say("Saved claim #" + id + ". Press u within 10 seconds to undo.");
      const all = rows();
      const at = fresh ? all.indexOf(fresh) : -1;
      focusRow(all[at + 1] || fresh);
    });
  }

  function setStatus(number) {
    const status = STATUSES[number - 1];
    if (number <= 2) { applyStatus(status, ""); return; }
    const form = bar();
    form.querySelector("#bulk-status").value = status;
    const missing = ["a rationale"];
    if (!selected.size && current && NEEDS_EVIDENCE.includes(status) && evidenceCount(current) === "0") {
      missing.push("at least one evidence item (add it on the claim page: o)");
    }
    say("This verdict needs " + missing.join(" and ") + ". Type the rationale, then Enter saves; Esc cancels.");
    form.querySelector("#bulk-rationale").focus();
  }

  function undo() {
    if (!lastChange || Date.now() - lastChange.at > UNDO_MS) { say("Nothing to undo (undo lasts 10 seconds after a change).", true); return; }
    const row = document.getElementById(ROW_PREFIX + lastChange.id);
    if (!row) { say("That claim is no longer on this page.", true); return; }
    focusRow(row);
    applyStatus(lastChange.status, lastChange.rationale, true);  // a new, audited change: history keeps both
  }

  function assignToMe(row) {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    htmx.ajax("POST", "/claims/" + claimId(row) + "/assign",
              { target: row, swap: "outerHTML", values: { assignee: "me", version: row.dataset.v, csrf_token: token } });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (typing) {
      if (event.key === "Escape") { event.target.blur(); say(""); if (current) current.focus(); }
      return;
    }
    const key = event.key;
    if (key === "j") { move(1); }
    else if (key === "k") { move(-1); }
    else if (key === "/") { document.getElementById("q").focus(); }
    else if (key === "?") { showKeys(); }
    else if (/^[1-8]$/.test(key)) { setStatus(Number(key)); }
    else if (key === "u") { undo(); }
    else if (!current) { return; }
    else if (key === "x") { toggle(current); }
    else if (key === "a") { assignToMe(current); }
    else if (key === "Enter" || key === "o") { claimLink(current).click(); }
    else { return; }
    event.preventDefault();
  });

  // The bar's own submit: a status for the cursor row goes through htmx; a selection posts the bulk form.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.id !== "bulk") return;
    const action = event.submitter ? event.submitter.value : "status";
    if (selected.size) {
      return;  // the browser posts the bulk form
    }
    event.preventDefault();
    if (action === "assign") {
      if (current) assignToMe(current); else say("Move to a claim with j/k or select some with x first.", true);
      return;
    }
    const status = form.querySelector("#bulk-status").value;
    if (!status) { say("Choose a status first.", true); return; }
    applyStatus(status, form.querySelector("#bulk-rationale").value);
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches('#queue-results input[name="ids"]')) {
      if (event.target.checked) selected.add(event.target.value); else selected.delete(event.target.value);
      describeTarget();
    }
  });
  document.addEventListener("click", function (event) {
    const row = event.target.closest(ROWS);
    if (row && !event.target.closest("input, a")) focusRow(row, false);
    if (event.target.closest("[data-show-shortcuts]")) showKeys();
  });
  // A claim cut short by the dense layout shows its whole wording on hover: set here, once, rather than as a
  // title repeated on every row of the page.
  document.addEventListener("mouseover", function (event) {
    const row = event.target.closest ? event.target.closest(ROWS) : null;
    const link = row && event.target.closest("a") === claimLink(row) ? claimLink(row) : null;
    if (link && !link.title && link.scrollWidth > link.clientWidth) link.title = link.textContent;
  });
  // Before following a claim link, remember where the cursor was so that Back returns to it.
  document.addEventListener("click", function (event) {
    const row = event.target.closest(ROWS);
    const link = row && event.target.closest("a");
    if (!link || link !== claimLink(row)) return;
    focusRow(row, false);
    // The claim page's j/k and "Next in queue" follow this queue, filters and sort kept.
    const url = new URL(link.href, location.href);
    if (location.search.length > 1) url.searchParams.set("queue", location.search.slice(1));
    else url.searchParams.set("queue", "sort=score");
    link.href = url.pathname + url.search;
  }, true);

  // After htmx swaps a row or the results, keep the cursor on the new element and the selection checked.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const visible = new Set(rows().map(claimId));
    selected.forEach(function (id) { if (!visible.has(id)) selected.delete(id); });  // never act on unseen claims
    if (current && !document.body.contains(current)) {
      const replacement = current.id ? document.getElementById(current.id) : null;
      current = null;
      if (replacement && replacement.matches(ROWS)) focusRow(replacement, false);
    }
    syncBoxes();
  });

  function restore() {
    let place = null;
    try { place = JSON.parse(sessionStorage.getItem(placeKey()) || "null"); } catch (e) { place = null; }
    if (!place) return;
    const row = document.getElementById(ROW_PREFIX + place.id);
    if (!row) return;
    if (typeof place.y === "number") window.scrollTo(0, place.y);
    focusRow(row);
  }
  document.querySelectorAll('#queue-results input[name="ids"]:checked').forEach(function (box) { selected.add(box.value); });
  restore();
  window.addEventListener("pageshow", function (event) { if (event.persisted) restore(); });
})();
