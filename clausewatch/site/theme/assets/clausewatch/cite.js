/* Clausewatch: a "Copy" button on each citation (<pre class="cw-cite-text">). Local, no third party. */
(function () {
  "use strict";
  function copy(text, button) {
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { select(text, button, done); });
    } else {
      select(text, button, done);
    }
  }
  function select(text, button, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "cw-copy-buffer";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } catch (error) { button.textContent = "Select and copy"; }
    document.body.removeChild(area);
  }
  document.querySelectorAll("pre.cw-cite-text").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button cw-copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy this citation");
    button.addEventListener("click", function () { copy(pre.textContent, button); });
    pre.parentNode.insertBefore(button, pre);
  });
})();
