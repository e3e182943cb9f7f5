// Click-to-sort for tables with class "sortable"; cells sort by their data-sort value.
(function () {
  "use strict";
  function key(cell) {
    var raw = cell ? cell.getAttribute("data-sort") : null;
    if (raw === null) { raw = cell ? cell.textContent : ""; }
    var num = parseFloat(raw);
    return { empty: raw === "" || raw === "nan", num: isNaN(num) ? null : num, text: String(raw).toLowerCase() };
  }
  function sortBy(table, index, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      if (x.empty !== y.empty) { return x.empty ? 1 : -1; }  // empty cells last either way
      var c = (x.num !== null && y.num !== null) ? x.num - y.num : x.text.localeCompare(y.text);
      return descending ? -c : c;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      th.addEventListener("click", function () {
        var descending = !th.classList.contains("sorted-desc");
        Array.prototype.forEach.call(heads, function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
        th.classList.add(descending ? "sorted-desc" : "sorted-asc");
        sortBy(table, index, descending);
      });
    });
  });
})();
