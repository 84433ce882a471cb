// Site search (Pagefind). This file is all that loads with a page: the search dialog, its
// stylesheet and Pagefind's index (SITE/pagefind/) are fetched only when the reader opens search,
// from a [data-search-open] button (the header's; the 404 page's) or with the "/" key.
(function () {
  "use strict";
  var openers = document.querySelectorAll("[data-search-open]");
  if (!openers.length || !("HTMLDialogElement" in window)) return;
  var MAX_RESULTS = 10;
  var root = new URL(openers[0].dataset.siteRoot || "/", location.href);
  var stylesheet = new URL("../css/search.css", document.currentScript.src).href;
  var dialog = null;
  var pagefind = null;
  var ui = {};
  var searchId = 0;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function loadStylesheet() {
    return new Promise(function (resolve) {
      var link = element("link", { rel: "stylesheet", href: stylesheet });
      link.onload = link.onerror = resolve;
      document.head.append(link);
    });
  }

  function buildDialog() {
    dialog = element("dialog", { class: "search", "aria-label": "Search" });
    var form = element("form", { class: "search__form", role: "search" });
    ui.input = element("input", {
      type: "search", class: "search__input", "aria-label": "Search posts", autocomplete: "off",
      spellcheck: "false", placeholder: "Words or TeX, e.g. softmax or \\nabla",
    });
    ui.filters = element("div", { class: "search__filters" });
    var close = element("button", { type: "button", class: "search__close" }, "Close");
    form.append(ui.input, close, ui.filters);
    ui.status = element("p", { class: "search__status", role: "status" });
    ui.results = element("ol", { class: "search__results" });
    dialog.append(form, ui.status, ui.results);
    document.body.append(dialog);

    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    ui.input.addEventListener("input", search);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = ui.results.querySelector("a");
      if (first) location.href = first.href;
    });
  }

  function loadPagefind() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        return module.options({ baseUrl: root.pathname }).then(function () { return module; });
      });
      pagefind.then(addFilters).catch(function () {
        ui.status.textContent = "Search is not available: the site's search index is missing.";
      });
    }
    return pagefind;
  }

  function addFilters(module) {
    return module.filters().then(function (filters) {
      ["tag", "series"].forEach(function (name) {
        var values = Object.keys(filters[name] || {}).sort();
        if (!values.length) return;
        var select = element("select", { class: "search__filter", "data-filter": name, "aria-label": "Only this " + name });
        select.append(element("option", { value: "" }, name === "tag" ? "All tags" : "All series"));
        values.forEach(function (value) {
          select.append(element("option", { value: value }, (name === "tag" ? "#" : "") + value));
        });
        select.addEventListener("change", search);
        ui.filters.append(select);
      });
    });
  }

  function chosenFilters() {
    var chosen = {};
    ui.filters.querySelectorAll("select").forEach(function (select) {
      if (select.value) chosen[select.dataset.filter] = select.value;
    });
    return chosen;
  }

  // Pagefind's excerpt is text with <mark> around the matches: rebuilt as DOM, nothing else kept.
  function excerpt(html) {
    var paragraph = element("p", { class: "search__excerpt" });
    html.split(/(<mark>[\s\S]*?<\/mark>)/).forEach(function (part) {
      var marked = /^<mark>([\s\S]*)<\/mark>$/.exec(part);
      var text = new DOMParser().parseFromString(marked ? marked[1] : part, "text/html").body.textContent;
      paragraph.append(marked ? element("mark", {}, text) : document.createTextNode(text));
    });
    return paragraph;
  }

  function resultItem(data) {
    var item = element("li", { class: "search__result" });
    var title = element("a", { class: "search__title", href: data.url }, (data.meta && data.meta.title) || data.url);
    item.append(title, excerpt(data.excerpt || ""));
    var tags = (data.filters && data.filters.tag) || [];
    if (tags.length) {
      item.append(element("p", { class: "search__tags" }, tags.map(function (tag) { return "#" + tag; }).join(" ")));
    }
    return item;
  }

  function search() {
    var query = ui.input.value.trim();
    var filters = chosenFilters();
    var id = ++searchId;
    if (!query && !Object.keys(filters).length) {
      ui.results.replaceChildren();
      ui.status.textContent = "";
      ui.results.setAttribute("aria-busy", "false");
      return;
    }
    ui.results.setAttribute("aria-busy", "true");
    loadPagefind().then(function (module) {
      return module.debouncedSearch(query || null, { filters: filters }, 150);
    }).then(function (found) {
      if (!found || id !== searchId) return null;  // a newer search replaced this one
      return Promise.all(found.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }))
        .then(function (pages) {
          if (id !== searchId) return;
          ui.results.replaceChildren.apply(ui.results, pages.map(resultItem));
          var count = found.results.length;
          ui.status.textContent = count === 0 ? "No results." : count === 1 ? "1 result." : count + " results.";
          ui.results.setAttribute("aria-busy", "false");
        });
    }).catch(function () { /* reported by loadPagefind */ });
  }

  function wordsOfThisAddress() {
    var path = decodeURIComponent(location.pathname).replace(/\/(index\.html)?$/, "");
    return path.slice(path.lastIndexOf("/") + 1).replace(/\.html$/, "").replace(/[-_]+/g, " ").trim();
  }

  function open(opener) {
    var ready = dialog ? Promise.resolve() : loadStylesheet().then(buildDialog);
    ready.then(function () {
      if (opener && opener.hasAttribute("data-search-from-path") && !ui.input.value) {
        ui.input.value = wordsOfThisAddress();
      }
      if (!dialog.open) dialog.showModal();
      ui.input.focus();
      ui.input.select();
      loadPagefind();
      if (ui.input.value) search();
    });
  }

  function typingInAField(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  openers.forEach(function (opener) {
    opener.hidden = false;
    var hiddenAround = opener.closest("[hidden]");
    if (hiddenAround) hiddenAround.hidden = false;
    opener.addEventListener("click", function () { open(opener); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typingInAField(event.target) || (dialog && dialog.open)) return;
    event.preventDefault();
    open(null);
  });
})();
