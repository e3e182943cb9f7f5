// Transcript browser: filter the episode list by model, game, experiment and outcome.
// The filter state lives in the URL hash (#model=...&game=...), so other pages can link to a selection.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var selects = form.querySelectorAll("select[data-filter]");
  var items = document.querySelectorAll("#episodes li");
  var count = document.getElementById("count");

  function decode(text) {
    // a malformed escape (#model=%) is taken as typed instead of stopping the script
    try { return decodeURIComponent(text); } catch (e) { return text; }
  }
  function readHash() {
    var state = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) { return; }
      var kv = part.split("=");
      state[decode(kv[0])] = decode((kv[1] || "").replace(/\+/g, " "));
    });
    return state;
  }
  function apply() {
    var wanted = {}, shown = 0, parts = [];
    selects.forEach(function (s) {
      if (s.value) { wanted[s.name] = s.value; parts.push(encodeURIComponent(s.name) + "=" + encodeURIComponent(s.value)); }
    });
    items.forEach(function (li) {
      var ok = Object.keys(wanted).every(function (k) { return li.getAttribute("data-" + k) === wanted[k]; });
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + items.length + " episodes";
    var hash = parts.join("&");
    var current = location.hash.replace(/^#/, "");
    if (hash !== current) {
      try {
        history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
      } catch (e) {
        location.hash = hash;  // some browsers refuse replaceState on file:// pages
      }
    }
  }
  function fromHash() {
    // a value the page does not offer (or a malformed hash) means no filter on that field
    var state = readHash();
    selects.forEach(function (s) {
      var wanted = state[s.name] === undefined ? "" : state[s.name];
      var exists = Array.prototype.some.call(s.options, function (o) { return o.value === wanted; });
      s.value = exists ? wanted : "";
    });
  }
  fromHash();
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  // a link or the back button that changes only the hash does not reload the page
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  items.forEach(function (li) {
    var link = li.querySelector("a");
    if (link) {
      link.addEventListener("click", function () {
        items.forEach(function (other) { other.classList.remove("active"); });
        li.classList.add("active");
      });
    }
  });
  // the viewer never stays empty: it shows the first listed transcript until one is picked, and again
  // when a filter hides the one it shows
  function openFirst() {
    var viewer = document.getElementById("viewer");
    var active = document.querySelector("#episodes li.active");
    if (!viewer || (active && !active.hidden)) { return; }
    var first = Array.prototype.find.call(items, function (li) { return !li.hidden && li.querySelector("a"); });
    items.forEach(function (other) { other.classList.remove("active"); });
    if (first) {
      first.classList.add("active");
      viewer.src = first.querySelector("a").getAttribute("href");
    }
  }
  selects.forEach(function (s) { s.addEventListener("change", openFirst); });
  window.addEventListener("hashchange", openFirst);
  apply();
  openFirst();
})();
