/* Clausewatch: mount Pagefind's UI in the header search box. Local files only: pagefind-ui.js and the
   index chunks it loads on demand live under <site>/pagefind/, written by `python -m pagefind`. */
(function () {
  "use strict";
  var mount = document.getElementById("cw-search");
  if (!mount || typeof PagefindUI === "undefined") {
    return;
  }
  var root = new URL("../../", document.currentScript.src);
  new PagefindUI({
    element: "#cw-search",
    baseUrl: root.pathname,
    bundlePath: root.pathname + "pagefind/",
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    autofocus: false,
    translations: { placeholder: "Search texts, changes, commentary" }
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
