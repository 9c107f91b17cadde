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

  /* Text in several languages (templates/_forms.html renders one <details> per
     language): shown as tabs, one language at a time, a tick on the filled ones. */
  var SVG = "http://www.w3.org/2000/svg";

  function tickIcon(spriteUrl) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var use = document.createElementNS(SVG, "use");
    use.setAttribute("href", spriteUrl + "#check");
    svg.appendChild(use);
    return svg;
  }

  function enhanceTranslations(container, number) {
    var panels = Array.prototype.slice.call(container.querySelectorAll(":scope > details.translation"));
    if (panels.length < 2) return;
    var anyUse = container.querySelector("use");
    var sprite = anyUse ? anyUse.getAttribute("href").split("#")[0] : "";
    var filledText = container.getAttribute("data-filled-text") || "";
    var pageLanguage = document.documentElement.lang;
    var tablist = document.createElement("div");
    tablist.className = "lang-tabs";
    tablist.setAttribute("role", "tablist");
    var legend = container.parentNode.querySelector("legend");
    if (legend) {
      if (!legend.id) legend.id = "translations-legend-" + number;
      tablist.setAttribute("aria-labelledby", legend.id);
    }
    var tabs = [];

    function fieldOf(panel) {
      return panel.querySelector("input, textarea");
    }

    function markFilled(tab, panel) {
      var filled = fieldOf(panel) && fieldOf(panel).value.trim() !== "";
      tab.classList.toggle("is-filled", filled);
      tab.querySelector(".tick").hidden = !filled;
    }

    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        panels[i].hidden = !on;
      });
      if (focus) tabs[index].focus();
    }

    panels.forEach(function (panel, i) {
      var summary = panel.querySelector("summary");
      var name = summary.querySelector("[lang]");
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "lang-tab";
      tab.id = container.id ? container.id + "-tab-" + i : "lang-tab-" + number + "-" + i;
      tab.setAttribute("role", "tab");
      panel.id = panel.id || tab.id + "-panel";
      tab.setAttribute("aria-controls", panel.id);
      var label = document.createElement("span");
      label.textContent = name ? name.textContent : summary.textContent;
      if (name) {
        label.lang = name.lang;
        label.dir = name.dir;
      }
      tab.appendChild(label);
      var tick = document.createElement("span");
      tick.className = "tick";
      if (sprite) tick.appendChild(tickIcon(sprite));
      if (filledText) {
        var hiddenText = document.createElement("span");
        hiddenText.className = "visually-hidden";
        hiddenText.textContent = filledText;
        tick.appendChild(hiddenText);
      }
      tab.appendChild(tick);
      tab.addEventListener("click", function () {
        select(i, false);
      });
      tabs.push(tab);
      tablist.appendChild(tab);

      panel.open = true;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.classList.add("is-tab-panel");
      summary.hidden = true;
      var field = fieldOf(panel);
      if (field) {
        field.addEventListener("input", function () {
          markFilled(tab, panel);
        });
      }
      markFilled(tab, panel);
    });

    /* First shown: the page's language when it is filled in, else the first
       filled one, else the page's language, else the first. */
    function languageOf(panel) {
      var field = fieldOf(panel);
      return field ? field.lang : "";
    }
    function isFilled(panel) {
      var field = fieldOf(panel);
      return Boolean(field && field.value.trim());
    }
    var own = panels.findIndex(function (panel) {
      return languageOf(panel) === pageLanguage;
    });
    var chosen = own >= 0 && isFilled(panels[own]) ? own : panels.findIndex(isFilled);
    if (chosen < 0) chosen = own >= 0 ? own : 0;

    tablist.addEventListener("keydown", function (event) {
      var index = tabs.indexOf(document.activeElement);
      if (index < 0) return;
      var rtl = getComputedStyle(tablist).direction === "rtl";
      var next = null;
      if (event.key === "ArrowRight") next = rtl ? index - 1 : index + 1;
      else if (event.key === "ArrowLeft") next = rtl ? index + 1 : index - 1;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = tabs.length - 1;
      if (next === null) return;
      event.preventDefault();
      select((next + tabs.length) % tabs.length, true);
    });

    container.insertBefore(tablist, container.firstChild);
    container.classList.add("is-tabbed");
    select(chosen, false);
  }

  document.querySelectorAll(".translations").forEach(enhanceTranslations);

  /* Tables that scroll sideways on small screens can be scrolled with the keyboard. */
  function markScrollable() {
    document.querySelectorAll(".data-table, .table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);

  /* After a form was sent with errors, focus goes to the error summary (templates/_forms.html); its links
     move focus to the field they name. */
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var details = target.closest("details");
      if (details) details.open = true;
      target.focus();
    });
  }

  /* Folded filters (<details data-open-wide>): open on wide screens, where they fit beside the dates. */
  var wide = window.matchMedia("(min-width: 48em)");
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    if (wide.matches) details.open = true;
  });

  /* The month on a phone: choosing a day shows its dates below the grid without loading the page
     (templates/events/_month.html; without this file the links load ?day=). */
  var agenda = document.querySelector("[data-agenda]");
  if (agenda) {
    document.querySelectorAll("table.month .day-marker[data-day]").forEach(function (marker) {
      marker.addEventListener("click", function (event) {
        var day = agenda.querySelector('.agenda-day[data-day="' + marker.getAttribute("data-day") + '"]');
        if (!day || event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        agenda.querySelectorAll(".agenda-day").forEach(function (other) { other.hidden = other !== day; });
        document.querySelectorAll("table.month .day-marker[aria-current]").forEach(function (other) {
          other.removeAttribute("aria-current");
          other.closest("td").classList.remove("selected");
        });
        marker.setAttribute("aria-current", "date");
        marker.closest("td").classList.add("selected");
        if (window.history && history.replaceState) history.replaceState(null, "", marker.href);
        day.querySelector(".day-heading").focus();
      });
    });
  }
})();
