/* Clausewatch: "Copy" buttons on citations (<pre class="cw-cite-text">), and "Cite this clause" on each
   clause card of a change page, built from the page's fact box (#facts: permalink, title, observed date,
   commit) and the card itself (its heading, the sentence it adds). Local, no third party. */
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
  function addCopyButton(pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button cw-copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy this citation");
    button.addEventListener("click", function () { copy(pre.textContent, button); });
    pre.parentNode.insertBefore(button, pre);
  }
  function absolute(link) {
    try { return new URL(link, window.location.href).href; } catch (error) { return link; }
  }
  function readable(node) {
    /* The words a reader sees: the screen readers' "inserted:"/"deleted:" labels come from the
       stylesheet (ins::before), never from the text. */
    return node.textContent;
  }
  function cardText(heading) {
    /* The sentence a card adds (its first inserted words), else its first paragraph, one line. */
    var node = heading.nextElementSibling, inserted = "", first = "";
    while (node && !/^H[1-3]$/.test(node.tagName)) {
      if (!inserted) {
        var ins = node.querySelector ? node.querySelector("ins") : null;
        if (ins) { inserted = readable(ins); }
      }
      if (!first && node.tagName === "P" && !node.querySelector("em:only-child") &&
          !node.classList.contains("cw-card-tools")) {
        first = readable(node);
      }
      node = node.nextElementSibling;
    }
    var text = (inserted || first).replace(/\s+/g, " ").trim();
    var sentence = text.split(/(?<=[.!?;])\s/)[0];
    return sentence.length > 280 ? sentence.slice(0, 277).replace(/\s\S*$/, "") + " …" : sentence;
  }
  function clauseCitation(facts, anchor, heading) {
    var link = absolute(facts.dataset.cwPermalink || window.location.pathname).replace(/#.*$/, "") + "#" + anchor;
    var title = (heading.textContent || "").replace(/¶/g, "").replace(/\s+/g, " ").trim();
    var quote = cardText(heading);
    var plain = facts.dataset.cwSite + ". \u201c" + facts.dataset.cwTitle + "\u201d, clause \u201c" + title +
      "\u201d. Observed " + facts.dataset.cwObserved + "." + (quote ? " \u201c" + quote + "\u201d" : "") +
      " Archive commit " + facts.dataset.cwCommit + ". " + link;
    var key = "clausewatch-" + (facts.dataset.cwCommit || "").slice(0, 12) + "-" + anchor.slice(0, 24);
    var clean = function (text) { return (text || "").replace(/[{}\\]/g, ""); };
    var bibtex = "@misc{" + key + ",\n  title = {" + clean(facts.dataset.cwTitle + ": " + title) + "},\n" +
      "  author = {" + clean(facts.dataset.cwSite) + "},\n  howpublished = {\\url{" + clean(link) + "}},\n" +
      "  note = {Observed " + clean(facts.dataset.cwObserved) + (quote ? "; " + clean(quote) : "") +
      "; archive commit " + clean(facts.dataset.cwCommit) + "}\n}";
    return {link: link, quote: quote, plain: plain, bibtex: bibtex};
  }
  function citeClause(button) {
    var facts = document.getElementById("facts");
    var anchor = button.dataset.cwAnchor;
    var heading = document.getElementById(anchor);
    if (!facts || !heading) { return; }
    var panel = button.parentNode.nextElementSibling;
    if (panel && panel.classList.contains("cw-clause-cite")) {
      panel.hidden = !panel.hidden;
      return;
    }
    var citation = clauseCitation(facts, anchor, heading);
    panel = document.createElement("div");
    panel.className = "cw-cite cw-clause-cite";
    var link = document.createElement("p");
    var a = document.createElement("a");
    a.href = citation.link;
    a.textContent = citation.link;
    link.appendChild(a);
    panel.appendChild(link);
    [["Plain text", citation.plain], ["BibTeX", citation.bibtex]].forEach(function (pair) {
      var label = document.createElement("p");
      label.className = "cw-cite-label";
      label.textContent = pair[0];
      var pre = document.createElement("pre");
      pre.className = "cw-cite-text";
      pre.textContent = pair[1];
      panel.appendChild(label);
      panel.appendChild(pre);
      addCopyButton(pre);
    });
    button.parentNode.parentNode.insertBefore(panel, button.parentNode.nextSibling);
  }
  document.querySelectorAll("pre.cw-cite-text").forEach(addCopyButton);
  document.querySelectorAll("button.cw-cite-clause").forEach(function (button) {
    button.setAttribute("aria-label", "Cite this clause: its link, the sentence it adds, plain text and BibTeX");
    button.addEventListener("click", function () { citeClause(button); });
  });
})();
