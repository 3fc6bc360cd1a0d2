// The schools list works without this script. With it: a filter box and sortable columns.
(function () {
  "use strict";
  var table = document.getElementById("school-list");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var box = document.querySelector(".filter");
  var input = document.getElementById("filter");
  var status = box.querySelector(".filter-status");
  var texts = rows.map(function (row) { return fold(row.textContent); });
  function filter() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row, i) {
      var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    var template = status.getAttribute(shown === 1 ? "data-one" : "data-other");
    status.textContent = words.length ? template.replace("{n}", shown.toLocaleString(
      document.documentElement.lang)) : "";
  }
  box.hidden = false;
  input.addEventListener("input", filter);

  function key(row, column) {
    var cell = row.cells[column];
    var sort = cell.getAttribute("data-sort");
    return sort === null ? fold(cell.textContent.trim()) : parseFloat(sort);
  }
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var order = rows.map(function (row, i) { return [key(row, column), i, row]; });
      order.sort(function (a, b) {
        var result = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
        return ascending ? result : -result;
      });
      order.forEach(function (entry) { body.appendChild(entry[2]); });
    });
  });
}());
