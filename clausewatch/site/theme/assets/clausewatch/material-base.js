/* Material for MkDocs 9.8.1 (MIT) partials/javascripts/base.html, moved out of the page so that the
   Content-Security-Policy can forbid inline scripts. The site root is this file's URL minus
   "assets/clausewatch/" (Material used the page's relative base_url; config.extra.scope is not read). */
__md_scope=new URL("../../",document.currentScript.src),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}
