/* Material for MkDocs 9.8.1 (MIT) partials/javascripts/outdated.html, moved out of the page (CSP);
   the site root is this file's URL minus "assets/clausewatch/". */
var el=document.querySelector("[data-md-component=outdated]"),base=new URL("../../",document.currentScript.src),outdated=__md_get("__outdated",sessionStorage,base);!0===outdated&&el&&(el.hidden=!1)
