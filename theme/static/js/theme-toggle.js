// Light/dark toggle. The inline script in <head> has already applied a stored choice
// (localStorage "theme" = "light" | "dark") before first paint; this un-hides the button,
// keeps aria-pressed in step with the theme shown, and stores the reader's choice.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.querySelector(".theme-toggle");
  if (!button) return;
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");

  function isDark() {
    var chosen = root.dataset.theme;
    return chosen ? chosen === "dark" : systemDark.matches;
  }

  function sync() {
    button.setAttribute("aria-pressed", String(isDark()));
  }

  button.addEventListener("click", function () {
    var next = isDark() ? "light" : "dark";
    root.dataset.theme = next;
    try {
      localStorage.setItem("theme", next);
    } catch (e) {
      // Storage may be unavailable (private mode): the choice lasts for this page only.
    }
    sync();
  });

  if (systemDark.addEventListener) systemDark.addEventListener("change", sync);
  sync();
  button.hidden = false;
})();
