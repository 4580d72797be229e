// Draws the desk's charts (Vega-Lite, bundled by datasette-dashboards) and its map (Leaflet, bundled by datasette-leaflet as an ES module).
// Data comes from JSON script elements; names are set as text, never as HTML.
(function () {
  function json(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }
  function charts() {
    document.querySelectorAll("[data-vega-spec]").forEach(function (element) {
      var spec = json(element.getAttribute("data-vega-spec"));
      if (spec && window.vegaEmbed) {
        window.vegaEmbed(element, spec, { actions: false, renderer: "svg" });
      }
    });
  }
  function map() {
    var element = document.getElementById("desk-map");
    var places = json("desk-places");
    var leaflet = window.datasette && window.datasette.leaflet;
    if (!element || !places || !leaflet) return;
    // datasette-leaflet ships Leaflet as an ES module
    import(leaflet.JAVASCRIPT_URL).then(function (L) { draw(L, element, places); });
  }
  function draw(L, element, places) {
    var map = L.map(element).setView([31, 42], 4);
    L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18,
      attribution: "&copy; OpenStreetMap contributors",
    }).addTo(map);
    var most = Math.max.apply(null, places.map(function (p) { return p.paragraphs; }).concat([1]));
    places.forEach(function (place) {
      var marker = L.circleMarker([place.latitude, place.longitude], {
        radius: 4 + 26 * Math.sqrt(place.paragraphs / most),
        color: place.type === "state" ? "#1f5fa8" : "#b8430b",
        weight: 1,
        fillOpacity: 0.45,
      }).addTo(map);
      var popup = document.createElement("div");
      var link = document.createElement("a");
      link.href = place.url;
      link.textContent = place.name;
      popup.appendChild(link);
      popup.appendChild(document.createTextNode(" · " + place.paragraphs.toLocaleString() + " paragraphs"));
      marker.bindPopup(popup);
      marker.bindTooltip(place.name);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    charts();
    map();
  });
})();
