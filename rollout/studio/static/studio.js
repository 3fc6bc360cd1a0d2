// The studio's own script: follows a solve's progress (Server-Sent Events) and shows the new
// plan when it is done. Everything else is plain forms (htmx makes them swap the page in place).
(function () {
  "use strict";
  var source = null;

  function follow() {
    var main = document.getElementById("main");
    if (!main || main.dataset.solving !== "yes" || source) { return; }
    source = new EventSource("/api/plan/events");
    source.addEventListener("progress", function (event) {
      var data = JSON.parse(event.data);
      var text = document.getElementById("progress-text");
      var bar = document.getElementById("progress-bar");
      if (text) { text.textContent = data.text; }
      if (bar) { bar.value = data.time_share; }
    });
    source.addEventListener("done", function () {
      source.close();
      source = null;
      var hadFocus = document.activeElement && document.activeElement !== document.body;
      htmx.ajax("GET", window.location.pathname, {source: document.body, target: "#main", select: "#main",
                             swap: "outerHTML"}).then(function () {
        if (!hadFocus || !document.body.contains(document.activeElement) ||
            document.activeElement === document.body) {
          var main = document.getElementById("main");
          if (main) { main.focus(); }
        }
      });
    });
    source.onerror = function () { if (source) { source.close(); source = null; } };
  }

  document.addEventListener("DOMContentLoaded", follow);
  document.addEventListener("htmx:afterSettle", follow);
})();
