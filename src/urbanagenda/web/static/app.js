// Draws every chart of a page: an element with data-spec="ID" gets the Vega-Lite spec kept in
// the <script type="application/json" id="ID"> element.  The page holds the same data as a
// table, so it reads without JavaScript.
(function () {
  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-spec"));
    if (!source || !window.urbanagendaEmbed) return;
    var spec = JSON.parse(source.textContent);
    window.urbanagendaEmbed(element, spec).then(function (result) {
      element.urbanagendaView = result.view;
      element.setAttribute("data-rendered", "true");
      element.dispatchEvent(new CustomEvent("urbanagenda:chart", { detail: result.view }));
    }).catch(function (error) {
      element.setAttribute("data-error", String(error));
    });
  }
  function start() {
    document.querySelectorAll("[data-spec]").forEach(draw);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
