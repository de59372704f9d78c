// On narrow screens the main navigation folds behind a "Menu" button (without script it simply wraps).
(function () {
  "use strict";
  const bar = document.querySelector(".topbar");
  const button = bar && bar.querySelector(".menu-toggle");
  if (!button) return;
  bar.classList.add("collapsible");
  button.addEventListener("click", function () {
    const open = bar.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
