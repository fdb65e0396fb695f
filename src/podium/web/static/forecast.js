// The forecast page's charts: ECharts (from npm, /assets/echarts) draws, from the
// JSON the server embedded in the page, the histogram of simulated finish dates
// with its cumulative curve (P50, P80 and the target marked), the tornado of the
// drivers of the program finish, and the P80 of every stored forecast over time.
// The numbers are in the tables of the page; the select above the histogram
// switches between the program and a milestone, the one in the header between
// stored forecasts.
(function () {
  "use strict";

  var esc = window.podiumEscape;

  var pick = document.getElementById("fc-pick");
  if (pick) {
    pick.addEventListener("change", function () {
      window.location.search = "?forecast=" + encodeURIComponent(pick.value);
    });
  }
  var source = document.getElementById("fc-data");
  var box = document.getElementById("fc-histogram");
  if (!source || !box) return;
  var fallback = box.querySelector(".fc-fallback");
  if (!window.echarts) {
    if (fallback) fallback.textContent = "The chart could not be drawn; the numbers are in the table above.";
    return;
  }
  if (fallback) fallback.remove();
  var data = JSON.parse(source.textContent);
  var dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  var shortFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
  var AXIS = { color: "#5f6b7a" };

  function day(iso) {
    return iso ? dateFormat.format(new Date(iso + "T00:00:00Z")) : "—";
  }

  function drawn(chart, element) {
    chart.on("finished", function () {
      element.setAttribute("data-drawn", "true");
    });
  }

  function marker(iso, label, color) {
    return { xAxis: iso, label: { formatter: label, color: color, fontSize: 11, position: "end" }, lineStyle: { color: color, type: "dashed", width: 1.5 } };
  }

  function histogram(outcome) {
    var bars = outcome.bins.map(function (b) {
      return [b[0], b[2], b[1]];
    });
    var cumulative = outcome.bins.map(function (b) {
      return [b[1], Math.round(b[3] * 1000) / 10];
    });
    var marks = [marker(outcome.p50, "P50", "#5f6b7a"), marker(outcome.p80, "P80 " + shortFormat.format(new Date(outcome.p80 + "T00:00:00Z")), "#3b4fd8")];
    if (outcome.target) marks.push(marker(outcome.target, "Target", "#b42318"));
    if (outcome.finish) marks.push(marker(outcome.finish, "Planned", "#1c2430"));
    return {
      animation: false,
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: ["Iterations", "Finished by (%)"] },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var lines = [];
          items.forEach(function (it) {
            if (it.seriesIndex === 0) lines.push(day(it.value[0]) + (it.value[2] !== it.value[0] ? " – " + day(it.value[2]) : "") + ": " + it.value[1] + " iterations");
            else lines.push("Finished by " + day(it.value[0]) + ": " + it.value[1] + " %");
          });
          return lines.join("<br>");
        },
      },
      xAxis: { type: "time", axisLabel: { color: AXIS.color, hideOverlap: true }, axisLine: { lineStyle: { color: "#cfd5dd" } } },
      yAxis: [
        { type: "value", name: "iterations", nameTextStyle: AXIS, axisLabel: AXIS, splitLine: { lineStyle: { color: "#eef0f3" } } },
        { type: "value", name: "%", min: 0, max: 100, nameTextStyle: AXIS, axisLabel: AXIS, splitLine: { show: false } },
      ],
      series: [
        { name: "Iterations", type: "bar", barCategoryGap: "10%", itemStyle: { color: "#9aa8f5" }, data: bars, barMaxWidth: 24,
          markLine: { silent: true, symbol: ["none", "none"], data: marks } },
        { name: "Finished by (%)", type: "line", yAxisIndex: 1, step: "end", showSymbol: false, lineStyle: { color: "#3b4fd8", width: 2 }, itemStyle: { color: "#3b4fd8" }, data: cumulative },
      ],
    };
  }

  var chart = window.echarts.init(box, null, { renderer: "canvas" });
  drawn(chart, box);
  chart.setOption(histogram(data.outcomes[""]));
  var scope = document.getElementById("fc-scope");
  if (scope) {
    scope.addEventListener("change", function () {
      box.removeAttribute("data-drawn");
      chart.setOption(histogram(data.outcomes[scope.value]), true);
    });
  }

  var tornadoBox = document.getElementById("fc-tornado");
  if (tornadoBox && data.tornado.length) {
    var rows = data.tornado.slice().reverse();
    var tornado = window.echarts.init(tornadoBox, null, { renderer: "canvas" });
    drawn(tornado, tornadoBox);
    tornado.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (it) { return esc(it.name) + ": " + it.value.toFixed(2); } },
      xAxis: { type: "value", min: -1, max: 1, axisLabel: AXIS, splitLine: { lineStyle: { color: "#eef0f3" } } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.label.length > 34 ? r.label.slice(0, 33) + "…" : r.label; }), axisLabel: { color: "#1c2430", fontSize: 11 } },
      series: [{
        type: "bar", barMaxWidth: 18,
        data: rows.map(function (r) {
          return { value: r.correlation, itemStyle: { color: r.kind === "risk" ? "#b45309" : r.correlation >= 0 ? "#3b4fd8" : "#64748b" } };
        }),
        label: { show: true, position: "right", formatter: function (it) { return it.value.toFixed(2); }, fontSize: 10, color: "#5f6b7a" },
      }],
    });
  }

  var trendBox = document.getElementById("fc-trend");
  if (trendBox && data.trend.length > 1) {
    var trend = window.echarts.init(trendBox, null, { renderer: "canvas" });
    drawn(trend, trendBox);
    trend.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return day(new Date(v).toISOString().slice(0, 10)); } },
      xAxis: { type: "category", data: data.trend.map(function (t) { return t.date + " #" + t.id; }), axisLabel: { color: AXIS.color, formatter: function (v) { return v.split(" ")[0]; } } },
      yAxis: { type: "time", scale: true, axisLabel: { color: AXIS.color, formatter: function (v) { return shortFormat.format(new Date(v)); } } },
      series: [
        { name: "P80", type: "line", data: data.trend.map(function (t) { return t.p80; }), lineStyle: { color: "#3b4fd8", width: 2.5 }, itemStyle: { color: "#3b4fd8" } },
        { name: "Planned", type: "line", data: data.trend.map(function (t) { return t.finish; }), lineStyle: { color: "#64748b", type: "dashed" }, itemStyle: { color: "#64748b" } },
      ],
    });
  }

  window.addEventListener("resize", function () {
    [box, tornadoBox, trendBox].forEach(function (el) {
      var c = el && window.echarts.getInstanceByDom(el);
      if (c) c.resize();
    });
  });
})();
