// rooted.js draws the charts of a page with Apache ECharts (vendored) from
// the JSON beside each chart (a hidden element's data-json attribute), and
// redraws after htmx swaps content in. It is the only script of the pages
// besides htmx and ECharts: the content security policy allows no inline
// script.
(function () {
  "use strict";
  var palette = ["#b3261e", "#0b57d0", "#146c2e", "#8e4ec6", "#a15c00", "#00696f"];

  function barOption(c, horizontal) {
    var cat = { type: "category", data: c.labels, axisLabel: { interval: 0 } };
    var val = { type: "value", minInterval: 1 };
    if (horizontal) { cat.inverse = true; } else { cat.axisLabel.rotate = c.labels.length > 8 ? 40 : 0; }
    return {
      color: palette,
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: c.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 16, top: c.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: c.series.map(function (s) { return { type: "bar", name: s.name, data: s.values }; })
    };
  }

  function pieOption(c) {
    return {
      color: palette,
      aria: { enabled: true },
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "70%"], data: c.labels.map(function (l, i) { return { name: l, value: c.series[0].values[i] }; }) }]
    };
  }

  // bandOption draws the projection: the band as a filled range between
  // its low and high ends, the demand line in it, and seats as a dashed line.
  function bandOption(c) {
    var by = {};
    c.series.forEach(function (s) { by[s.role] = s; });
    var width = by.high.values.map(function (h, i) { return h - by.low.values[i]; });
    return {
      color: palette,
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [by.line.name, by.cap.name, by.high.name] },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: c.labels, boundaryGap: false },
      yAxis: { type: "value" },
      series: [
        { type: "line", name: by.low.name, data: by.low.values, stack: "band", symbol: "none", lineStyle: { opacity: 0 } },
        { type: "line", name: by.high.name, data: width, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(11,87,208,0.18)" } },
        { type: "line", name: by.line.name, data: by.line.values, color: "#0b57d0", lineStyle: { width: 3 } },
        { type: "line", name: by.cap.name, data: by.cap.values, color: "#b3261e", lineStyle: { type: "dashed", width: 2 }, symbol: "none" }
      ]
    };
  }

  function optionFor(c) {
    switch (c.kind) {
      case "hbar": return barOption(c, true);
      case "pie": return pieOption(c);
      case "band": return bandOption(c);
      default: return barOption(c, false);
    }
  }

  function draw(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById("data-" + el.getAttribute("data-chart"));
      if (!src || el.getAttribute("data-drawn")) { return; }
      var c = JSON.parse(src.getAttribute("data-json"));
      if (c.kind === "hbar") { el.style.height = Math.max(200, 26 * c.labels.length + 60) + "px"; }
      el.setAttribute("data-drawn", "1");
      var old = echarts.getInstanceByDom(el);
      if (old) { old.dispose(); }
      echarts.init(el, null, { renderer: "svg" }).setOption(optionFor(c));
    });
  }

  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-drawn]").forEach(function (el) {
      var ch = window.echarts && echarts.getInstanceByDom(el);
      if (ch) { ch.resize(); }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
})();
