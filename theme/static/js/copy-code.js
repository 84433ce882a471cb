// Adds a "Copy" button to each code block (div.highlight). The copied text leaves out line
// numbers (.linenos) and console prompts (.gp). Without JavaScript no button is shown and the
// code stays selectable.
(function () {
  "use strict";

  function codeText(block) {
    var code = block.querySelector("pre code") || block.querySelector("pre");
    if (!code) return null;
    var copy = code.cloneNode(true);
    copy.querySelectorAll(".linenos, .gp").forEach(function (el) {
      el.remove();
    });
    return copy.textContent.replace(/\n$/, "");
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text);
      });
    }
    return fallbackCopy(text);
  }

  document.querySelectorAll("div.highlight").forEach(function (block) {
    if (!block.querySelector("pre")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = "Copy";
    button.title = "Copy code to clipboard";
    button.setAttribute("aria-live", "polite");
    var timer;
    button.addEventListener("click", function () {
      var text = codeText(block);
      if (text === null) return;
      copy(text).then(
        function () {
          button.textContent = "Copied";
        },
        function () {
          button.textContent = "Copy failed";
        }
      ).then(function () {
        button.setAttribute("data-copied", "");
        clearTimeout(timer);
        timer = setTimeout(function () {
          button.textContent = "Copy";
          button.removeAttribute("data-copied");
        }, 2000);
      });
    });
    block.classList.add("has-copy");
    block.appendChild(button);
  });
})();
