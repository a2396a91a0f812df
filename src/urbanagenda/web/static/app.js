// Draws every chart of a page: an element with data-spec="ID" gets the Vega-Lite spec kept in
// the <script type="application/json" id="ID"> element.  The page holds the same data as a
// table, so it reads without JavaScript.
//
// base.html loads this file on every page (deferred); the chart runtime
// (/static/vendor/charts.js, vega-embed with Vega's CSP-safe interpreter) is fetched only
// when the page has charts and did not load it itself.  Loading this file twice is harmless.
//
// A drawn element gets data-rendered="true", keeps its Vega view in element.urbanagendaView
// and fires "urbanagenda:chart" (detail: the view); a failure sets data-error.  Give the
// element role="img" and an aria-label that says what the chart shows.
(function () {
  "use strict";
  if (window.urbanagenda) return;
  var runtime = null;

  function loadRuntime() {
    if (window.urbanagendaEmbed) return Promise.resolve();
    if (!runtime) {
      runtime = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = "/static/vendor/charts.js";
        script.onload = function () { resolve(); };
        script.onerror = function () { reject(new Error("cannot load the chart runtime")); };
        document.head.appendChild(script);
      });
    }
    return runtime;
  }

  function fail(element, error) {
    element.setAttribute("data-error", String(error && error.message || error));
  }

  // A chart whose element is an image with a text alternative (role="img" and aria-label,
  // the data being in a table beside it) stays one image to assistive technology: Vega
  // replaces the element's role and label with its own, so they are put back, and the marks
  // of its SVG, which have no names of their own, are hidden.
  function keepTextAlternative(element, role, label) {
    if (role !== "img" || !label) return;
    element.setAttribute("role", "img");
    element.setAttribute("aria-label", label);
    element.removeAttribute("aria-roledescription");
    element.querySelectorAll("svg, canvas").forEach(function (drawing) {
      drawing.setAttribute("aria-hidden", "true");
      drawing.setAttribute("focusable", "false");
    });
  }

  function draw(element) {
    if (element.hasAttribute("data-rendered") || element.urbanagendaDrawing) return;
    var source = document.getElementById(element.getAttribute("data-spec"));
    if (!source) {
      fail(element, "no chart specification #" + element.getAttribute("data-spec"));
      return;
    }
    var spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      fail(element, error);
      return;
    }
    element.urbanagendaDrawing = true;
    var role = element.getAttribute("role");
    var label = element.getAttribute("aria-label");
    window.urbanagendaEmbed(element, spec).then(function (result) {
      element.urbanagendaView = result.view;
      keepTextAlternative(element, role, label);
      element.setAttribute("data-rendered", "true");
      element.dispatchEvent(new CustomEvent("urbanagenda:chart", {
        bubbles: true, detail: result.view
      }));
    }).catch(function (error) {
      fail(element, error);
    });
  }

  var started = false;
  function start() {
    if (started) return;
    started = true;
    var charts = document.querySelectorAll("[data-spec]");
    if (!charts.length) return;
    loadRuntime().then(function () {
      charts.forEach(draw);
    }, function (error) {
      charts.forEach(function (element) { fail(element, error); });
    });
  }

  window.urbanagenda = { draw: draw, loadRuntime: loadRuntime };
  // Deferred scripts after this one (a page's own charts.js) run before DOMContentLoaded.
  if (document.readyState === "complete") start();
  else {
    document.addEventListener("DOMContentLoaded", start);
    window.addEventListener("load", start);
  }
})();
