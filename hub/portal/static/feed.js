// The live feed: the portal's own script (no library). Builds each card
// with textContent only, so nothing received is ever parsed as HTML.
"use strict";
(function () {
  var list = document.getElementById("feed");
  var status = document.getElementById("feed-status");
  if (!list || !window.EventSource) {
    if (status) status.textContent = "Your browser cannot show the live feed.";
    return;
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function card(ev, o) {
    var li = el("li", null, "card");
    li.setAttribute("data-type", o.type);
    var h = el("h2", o.name || o.value || o.type);
    li.appendChild(h);
    var tlp = ev.tlp.replace("+strict", "");
    var meta = el("p");
    meta.appendChild(el("span", "TLP:" + ev.tlp.toUpperCase(), "tlp tlp-" + tlp));
    meta.appendChild(document.createTextNode(" " + o.type + " from " + ev.sender + " · " + ev.received));
    li.appendChild(meta);
    if (o.pattern) li.appendChild(el("p", o.pattern, "muted"));
    if (o.description) li.appendChild(el("p", o.description));
    var d = el("details");
    d.appendChild(el("summary", "JSON"));
    d.appendChild(el("pre", o.json));
    li.appendChild(d);
    return li;
  }
  var src = new EventSource(list.getAttribute("data-src"));
  src.onopen = function () { status.textContent = "Live: new objects appear at the top."; };
  src.onerror = function () { status.textContent = "Disconnected; reconnecting…"; };
  src.addEventListener("failure", function (e) { status.textContent = e.data; });
  src.addEventListener("share", function (e) {
    var ev = JSON.parse(e.data);
    for (var i = ev.objects.length - 1; i >= 0; i--) list.insertBefore(card(ev, ev.objects[i]), list.firstChild);
  });
})();
