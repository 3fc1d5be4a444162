/* Material for MkDocs 9.8.1 (MIT) partials/javascripts/content.html, moved out of the page (CSP). */
var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))
