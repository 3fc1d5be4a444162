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
    translations: { placeholder: "Search texts, changes, commentary" }
  };
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
