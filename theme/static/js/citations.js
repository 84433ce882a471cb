// Shows the full reference of a citation (a.citation__link) in a card while the pointer is on
// it or it has keyboard focus; Escape closes the card. Without JavaScript a citation is a plain
// link to its entry in the References list, and screen readers get the entry's text through
// aria-describedby either way (the card itself is hidden from them, to avoid reading it twice).
(function () {
  "use strict";

  var card = document.createElement("div");
  card.className = "cite-card";
  card.setAttribute("aria-hidden", "true");
  card.hidden = true;
  document.body.appendChild(card);
  var current = null;
  var hideTimer = null;

  function show(link) {
    var source = document.getElementById(link.getAttribute("aria-describedby"));
    if (!source) return;
    clearTimeout(hideTimer);
    current = link;
    card.innerHTML = source.innerHTML;
    card.querySelectorAll("a").forEach(function (a) { a.tabIndex = -1; });  // the pointer can use them
    card.hidden = false;
    var box = link.getBoundingClientRect();
    var width = card.offsetWidth;
    var left = Math.max(8, Math.min(box.left, document.documentElement.clientWidth - width - 8));
    card.style.left = left + window.scrollX + "px";
    card.style.top = box.bottom + window.scrollY + 6 + "px";
  }

  function hide() {
    card.hidden = true;
    current = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);  // time to move the pointer onto the card
  }

  document.querySelectorAll("a.citation__link").forEach(function (link) {
    link.addEventListener("mouseenter", function () { show(link); });
    link.addEventListener("mouseleave", hideSoon);
    link.addEventListener("focus", function () { show(link); });
    link.addEventListener("blur", hideSoon);
  });
  card.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
  card.addEventListener("mouseleave", hideSoon);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && current) hide();
  });
})();
