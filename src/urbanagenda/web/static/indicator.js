// The year slider of the indicator page's world map.  Without JavaScript the slider is a field
// of the page's GET form; with it, moving the slider re-colours the map in place (it sets the
// Vega parameter "year" of the chart drawn by app.js) and the table of country values, its
// caption, the download links and the address follow.  The data are those of the map's spec
// (<script type="application/json" id="map-spec">): layer 1 holds one object per country,
// {id, n: name, y2000: value, ...}.
(function () {
  "use strict";
  var slider = document.getElementById("year");
  var mapElement = document.getElementById("map-chart");
  var specElement = document.getElementById("map-spec");
  if (!slider || !mapElement || !specElement) return;

  var spec = JSON.parse(specElement.textContent);
  var layer = spec.layer[1];
  var meta = spec.usermeta || {};
  var digits = meta.digits || 0;
  var lang = meta.lang || document.documentElement.lang || "en";
  var number = new Intl.NumberFormat(lang + "-u-nu-latn", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  var years = slider.getAttribute("data-years").split(",").map(Number);

  // the rows of a year, by country name
  var countries = layer.data.values;
  function rowsOf(year) {
    var key = "y" + year;
    return countries.filter(function (c) { return typeof c[key] === "number"; })
      .map(function (c) {
        return {
          code: /^\d+$/.test(c.id) ? String(Number(c.id)) : c.id,
          name: c.n,
          value: c[key],
        };
      })
      .sort(function (a, b) { return a.name.localeCompare(b.name, lang); });
  }

  var shown = Number(slider.value);

  // The data year the slider means: the next one in the direction it moved.
  function snap(value) {
    var i;
    if (value >= shown) {
      for (i = 0; i < years.length; i++) if (years[i] >= value) return years[i];
      return years[years.length - 1];
    }
    for (i = years.length - 1; i >= 0; i--) if (years[i] <= value) return years[i];
    return years[0];
  }

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
  }

  function redrawTable(year) {
    var body = document.getElementById("year-rows");
    if (!body) return;
    var rows = rowsOf(year);
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      var a = document.createElement("a");
      a.href = "/" + lang + "/area/" + encodeURIComponent(row.code);
      a.textContent = row.name;
      th.appendChild(a);
      var td = document.createElement("td");
      td.className = "num";
      td.textContent = number.format(row.value);
      tr.appendChild(th);
      tr.appendChild(td);
      fragment.appendChild(tr);
    });
    body.replaceChildren(fragment);
    setText("#year-count", String(rows.length));
  }

  function recolour(year) {
    var view = mapElement.urbanagendaView;
    if (view) view.signal("year", year).runAsync();
  }

  function show(year) {
    shown = year;
    slider.value = String(year);
    slider.setAttribute("aria-valuetext", String(year));
    setText("#year-out", String(year));
    setText("#year-caption", String(year));
    setText(".year-label", String(year));
    var label = mapElement.getAttribute("data-label");
    if (label) mapElement.setAttribute("aria-label", label.replace("{year}", String(year)));
    document.querySelectorAll("a.year-download").forEach(function (a) {
      a.href = a.href.replace(/year_from=\d+/, "year_from=" + year)
        .replace(/year_to=\d+/, "year_to=" + year);
    });
    redrawTable(year);
    recolour(year);
    var url = new URL(window.location.href);
    url.searchParams.set("year", String(year));
    window.history.replaceState(null, "", url.toString());
  }

  slider.addEventListener("input", function () {
    var year = snap(Number(slider.value));
    if (year !== shown) show(year);
    else slider.value = String(year);
  });
  // The map may be drawn after the slider moved.
  mapElement.addEventListener("urbanagenda:chart", function () { recolour(shown); });
})();
