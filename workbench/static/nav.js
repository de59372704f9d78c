// On narrow screens the main navigation folds behind a "Menu" button (without script it simply wraps).
(function () {
  "use strict";
  // htmx requests carry the CSRF token from the page's meta (plain forms post their own field), so the page does not
  // repeat it in an hx-headers attribute.
  document.addEventListener("htmx:configRequest", function (event) {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
  });

  // A list of keyboard shortcuts is fetched (data-keys) the first time it is opened rather than sent with every page.
  // Other scripts open one by dispatching "show-keys" on the dialog.
  function showKeys(dialog) {
    if (dialog.open) return;
    if (dialog.childElementCount || !dialog.dataset.keys) { dialog.showModal(); return; }
    htmx.ajax("GET", dialog.dataset.keys, { target: dialog })  // swapped in as the dialog's content
      .then(function () { if (dialog.childElementCount && !dialog.open) dialog.showModal(); });
  }
  document.addEventListener("show-keys", function (event) { showKeys(event.target); });

  // Site-wide keys, on pages without their own: ? lists them, g then q/a/w goes to the queue, articles, my work.
  const PLACES = { q: "/claims", a: "/articles", w: "/my-work" };
  let pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (document.getElementById("shortcuts") || document.getElementById("claim-shortcuts")) return;  // page keys
    const dialog = document.getElementById("site-shortcuts");
    if (!dialog) return;
    if (pendingG) { pendingG = false; if (PLACES[event.key]) { location.href = PLACES[event.key]; event.preventDefault(); } return; }
    if (event.key === "g") { pendingG = true; event.preventDefault(); }
    else if (event.key === "?") { showKeys(dialog); event.preventDefault(); }
  });

  // The notifications menu closes on Escape and on a click outside it, as menus do.
  function closeMenus(except) {
    document.querySelectorAll("details.notifications-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }
  document.addEventListener("click", function (event) { closeMenus(event.target.closest("details.notifications-menu")); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.querySelector("details.notifications-menu[open]")) closeMenus(null);
  });

  const bar = document.querySelector(".topbar");
  const button = bar && bar.querySelector(".menu-toggle");
  if (!button) return;
  bar.classList.add("collapsible");
  button.addEventListener("click", function () {
    const open = bar.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
