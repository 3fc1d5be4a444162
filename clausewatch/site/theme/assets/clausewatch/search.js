/* Clausewatch: the header search box, a small UI of our own on Pagefind's JS API (pagefind/pagefind.js,
   written by `python -m pagefind`). Pagefind's default UI weighed 134 KB on every page; this file and its
   styles (extras.css, .cw-search) are a few KB. Local files only; no inline script or style (CSP).
   Untrusted page text becomes text nodes; of Pagefind's excerpt HTML only its <mark>s are kept. */
(function () {
  "use strict";
  var mount = document.getElementById("cw-search");
  if (!mount || !document.currentScript) {
    return;
  }
  var root = new URL("../../", document.currentScript.src).pathname;
  var PAGE = 5;  /* results shown at first and added by each "Load more results" */
  var pagefind = null;  /* the loading (then loaded) Pagefind API, a promise */
  var generation = 0;  /* bumped by every query: late answers to older queries are dropped */
  var results = [];  /* Pagefind's results of the current query, best first */
  var shown = 0;

  var input = element("input", "cw-search__input", {
    type: "search", placeholder: "Search texts, changes, commentary", autocomplete: "off",
    spellcheck: "false", "aria-label": "Search texts, changes and commentary",
    "aria-controls": "cw-search-drawer"
  });
  var drawer = element("div", "cw-search__drawer", { id: "cw-search-drawer" });
  /* The status is in the page from the start (a live region must exist before it changes). */
  var status = element("p", "cw-search__status", { role: "status", "aria-live": "polite" });
  var list = element("ol", "cw-search__results", {});
  var more = element("button", "cw-search__more", { type: "button" });
  more.textContent = "Load more results";
  drawer.append(status, list, more);
  mount.append(input, drawer);
  close();

  /* An element with a class and attributes, all set as attributes (never as HTML). */
  function element(tag, className, attributes) {
    var node = document.createElement(tag);
    node.className = className;
    Object.keys(attributes).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    return node;
  }

  /* Load Pagefind once, on first use (so pages that are only read load none of it), with the bundles
     of pages new since the last full build merged in: search-bundles.json names them (written by every
     build, see clausewatch/site/search_index.py). An unreadable list means the main index alone. */
  function load() {
    if (!pagefind) {
      pagefind = import(root + "pagefind/pagefind.js").then(function (api) {
        return api.options({ baseUrl: root, excerptLength: 12 }).then(function () {
          return fetch(root + "search-bundles.json").then(function (response) {
            return response.ok ? response.json() : {};
          }).catch(function () { return {}; });
        }).then(function (bundles) {
          return (bundles.merge || []).reduce(function (done, path) {
            return done.then(function () { return api.mergeIndex(root + path); });
          }, Promise.resolve());
        }).then(function () { return api; });
      });
    }
    return pagefind;
  }

  /* Search as the reader types (Pagefind debounces and answers null to superseded queries). */
  function search() {
    var query = input.value.trim();
    var mine = ++generation;
    if (!query) {
      close();
      return;
    }
    load().then(function (api) {
      return api.debouncedSearch(query, {}, 300);
    }).then(function (found) {
      if (!found || mine !== generation) {
        return;
      }
      results = found.results;
      shown = 0;
      list.replaceChildren();
      open();
      status.textContent = (results.length ? results.length + (results.length === 1 ? " result" : " results")
        : "No results") + " for \u201c" + query + "\u201d";
      return showMore(mine, false);
    }).catch(function () {
      if (mine === generation) {
        open();
        status.textContent = "Search is unavailable on this page.";
      }
    });
  }

  /* Add the next PAGE results (their fragments are fetched now); after "Load more results" the focus
     moves to the first new result, so a keyboard reader goes on where the new results begin. */
  function showMore(mine, focus) {
    var next = results.slice(shown, shown + PAGE);
    shown += next.length;
    more.hidden = shown >= results.length;
    return Promise.all(next.map(function (result) { return result.data(); })).then(function (pages) {
      if (mine !== generation) {
        return;
      }
      var items = pages.map(render);
      list.append.apply(list, items);
      var first = items[0] && items[0].querySelector("a");
      if (focus && first) {
        first.focus();
      }
    });
  }

  /* One result: its title (describe), excerpt, and up to three clause headings it was found under. */
  function render(page) {
    var item = element("li", "cw-search__result", {});
    var title = element("p", "cw-search__title", {});
    var meta = page.meta || {};
    var name = link(page.url, describe(meta) || page.url);
    if (meta.date && name.textContent.slice(-meta.date.length) === meta.date) {
      /* The date on one line ("2026-02-⏎04" on a phone otherwise), as everywhere on the site. */
      name.textContent = name.textContent.slice(0, -meta.date.length);
      name.append(element("span", "cw-search__date", {}));
      name.lastChild.textContent = meta.date;
    }
    title.append(name);
    item.append(title, excerpt(page.excerpt));
    var subs = subResults(page);
    if (subs.length) {
      var nested = element("ul", "cw-search__subs", {});
      subs.forEach(function (sub) {
        var entry = element("li", "cw-search__sub", {});
        entry.append(link(sub.url, sub.title || sub.url), excerpt(sub.excerpt));
        nested.append(entry);
      });
      item.append(nested);
    }
    return item;
  }

  /* A result names the service, the document, the date and what the page is (a change, a first
     record, the current text), from the metadata every document and change page carries
     (theme/main.html); other pages keep the title Pagefind found (their h1). */
  function describe(meta) {
    if (meta.service_name && meta.document_name) {
      var what = meta.kind === "current text" ? "current text, last observed " : (meta.kind || "change") + " of ";
      return meta.service_name + " \u2014 " + meta.document_name + " \u00b7 " + what + (meta.date || "");
    }
    return meta.title || "";
  }

  /* Pagefind's sub-results, as its default UI showed them: the first one is the page itself when the
     words were found before any heading (dropped), then the three with most matches, in page order. */
  function subResults(page) {
    var subs = Array.isArray(page.sub_results) ? page.sub_results.slice() : [];
    if (subs.length && subs[0].url === page.url) {
      subs.shift();
    }
    if (subs.length > 3) {
      var best = subs.slice().sort(function (a, b) {
        return (b.locations || []).length - (a.locations || []).length;
      }).slice(0, 3);
      subs = subs.filter(function (sub) { return best.indexOf(sub) >= 0; });
    }
    return subs;
  }

  /* A link to a result, only if it stays on this site (relative or same-origin): an index could name
     any URL, and a javascript: one must never become a link. */
  function link(url, text) {
    var anchor = element("a", "cw-search__link", {});
    anchor.textContent = text;
    try {
      var target = new URL(url, location.href);
      if (target.origin === location.origin) {
        anchor.setAttribute("href", url);
      }
    } catch (error) { /* not a URL: text without a link */ }
    return anchor;
  }

  /* Pagefind's excerpt is HTML (page text escaped by Pagefind, the query's words in <mark>). It is
     parsed in an inert <template> and only its text and <mark>s are copied, so nothing else can
     become live HTML even if the index were tampered with. */
  function excerpt(html) {
    var paragraph = element("p", "cw-search__excerpt", {});
    var template = document.createElement("template");
    template.innerHTML = html || "";
    template.content.childNodes.forEach(function copy(node) {
      if (node.nodeType === Node.TEXT_NODE) {
        paragraph.append(node.textContent);
      } else if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        paragraph.append(mark);
      } else {
        paragraph.append(node.textContent);
      }
    });
    return paragraph;
  }

  function open() {
    drawer.hidden = false;
  }

  /* Close the results; with clear, forget the query too (Escape, or the query emptied). */
  function close(clear) {
    drawer.hidden = true;
    if (clear !== false) {
      list.replaceChildren();
      status.textContent = "";
      more.hidden = true;
      results = [];
      shown = 0;
    }
  }

  input.addEventListener("input", search);
  input.addEventListener("focus", function () {
    load().catch(function () { /* reported when a search runs */ });
    if (input.value.trim() && list.childElementCount) {
      open();
    }
  });
  more.addEventListener("click", function () {
    showMore(generation, true);
  });
  /* Escape clears the query and closes the results, from the box or from inside the results. */
  mount.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      generation++;
      input.value = "";
      close();
      input.focus();
    }
  });
  /* A click elsewhere on the page hides the results; focusing the box shows them again. */
  document.addEventListener("click", function (event) {
    if (!mount.contains(event.target)) {
      close(false);
    }
  });
  /* "/" focuses the search box, unless the reader is typing in a field. */
  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    if (event.key === "/" && active !== input && !(active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) &&
        !(active && active.isContentEditable)) {
      event.preventDefault();
      input.focus();
    }
  });
})();
