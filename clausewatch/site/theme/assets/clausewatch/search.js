/* Clausewatch: mount Pagefind's UI in the header search box. Local files only: pagefind-ui.js and the
   index chunks it loads on demand live under <site>/pagefind/, written by `python -m pagefind`. */
(function () {
  "use strict";
  var mount = document.getElementById("cw-search");
  if (!mount || typeof PagefindUI === "undefined") {
    return;
  }
  var root = new URL("../../", document.currentScript.src);
  var options = {
    element: "#cw-search",
    baseUrl: root.pathname,
    bundlePath: root.pathname + "pagefind/",
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    autofocus: false,
    translations: { placeholder: "Search texts, changes, commentary" },
    processResult: describe
  };
  /* A result names the service, the document, the date and what the page is (a change, a first
     record, the current text), from the metadata every document and change page carries (theme/main.html);
     its sub-results are the clause headings the words were found under. */
  function describe(result) {
    var meta = result.meta || {};
    if (meta.service_name && meta.document_name) {
      var what = meta.kind === "current text" ? "current text, last observed " : (meta.kind || "change") + " of ";
      meta.title = meta.service_name + " \u2014 " + meta.document_name + " \u00b7 " + what + (meta.date || "");
    }
    return result;
  }
  /* Pages new since the last full build are indexed apart, in bundles named by search-bundles.json
     (written by every build, see clausewatch/site/search_index.py): merge them into the main index. */
  fetch(root.pathname + "search-bundles.json").then(function (response) {
    return response.ok ? response.json() : {};
  }).then(function (bundles) {
    options.mergeIndex = (bundles.merge || []).map(function (path) {
      return { bundlePath: root.pathname + path };
    });
  }, function () { /* unreadable: the main index alone */ }).then(function () {
    new PagefindUI(options);
    var input = mount.querySelector("input");
    if (input) {  /* a name for screen readers: Pagefind's input has a placeholder only */
      input.setAttribute("aria-label", "Search texts, changes and commentary");
    }
  });
  document.addEventListener("keydown", function (event) {
    var input = mount.querySelector("input");
    if (input && event.key === "/" && document.activeElement !== input &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      event.preventDefault();
      input.focus();
    }
  });
})();
