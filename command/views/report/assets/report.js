// Sorting of the report's tables: a click on a column header sorts the
// rows by that column (numbers numerically, text in natural order; blank
// cells last either way), a second click reverses it; aria-sort says how
// a table is sorted. Ties keep the rendered order.
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, { numeric: true });
  function key(cell, numeric) {
    if (!cell) return null;
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (v === "") return null;
    if (!numeric) return v;
    var x = v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : parseFloat(v);
    return isNaN(x) ? null : x;
  }
  function sort(th) {
    var table = th.closest("table");
    var body = table.tBodies[0];
    var col = th.cellIndex;
    var numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", dir);
    var rows = Array.prototype.slice.call(body.rows);
    var items = rows.map(function (r, i) {
      if (r.fwOrder === undefined) r.fwOrder = i;
      return { row: r, key: key(r.cells[col], numeric), order: r.fwOrder };
    });
    var sign = dir === "ascending" ? 1 : -1;
    items.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        if (a.key === b.key) return a.order - b.order;
        return a.key === null ? 1 : -1;
      }
      var c = numeric ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : collator.compare(a.key, b.key);
      return sign * c || a.order - b.order;
    });
    // Empty the body first: moving rows one by one out of a table in
    // the page is quadratic in Chromium (10,000 rows: seconds).
    body.textContent = "";
    var frag = document.createDocumentFragment();
    items.forEach(function (it) { frag.appendChild(it.row); });
    body.appendChild(frag);
  }
  document.addEventListener("click", function (e) {
    var th = e.target.closest && e.target.closest("table.sortable thead th[data-type]");
    if (th) sort(th);
  });
})();
