/* Welcome Spaces — small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Disclosure menus (<details class="language-switcher">): close with Escape
     (focus back on the summary), when clicking elsewhere and when focus leaves. */
  function closeMenu(menu, focusSummary) {
    if (!menu.open) return;
    menu.open = false;
    if (focusSummary) menu.querySelector("summary").focus();
  }

  function enhanceMenu(menu) {
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closeMenu(menu, true);
      }
    });
    menu.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !menu.contains(event.relatedTarget)) closeMenu(menu, false);
    });
  }

  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.language-switcher[open], details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) closeMenu(menu, false);
    });
  });

  document.querySelectorAll("details.language-switcher, details.menu").forEach(enhanceMenu);
})();
