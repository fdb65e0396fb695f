// The performance page's S-curves: ECharts (from npm, /assets/echarts) draws the
// planned value, earned value and actual cost over time from the JSON the
// server embedded in the page, with a vertical line at the status date. The
// three lines differ by dash as well as colour, and each is named at its end;
// the same numbers are in a table under the chart. The select above the chart
// switches between the program and one project. A program with a currency puts
// its code (data-currency) at the top of the amounts' axis and after each amount
// in the tooltip; without one the amounts are bare.
(function () {
  "use strict";

  var box = document.getElementById("pf-chart");
  var source = document.getElementById("pf-curves-data");
  if (!box || !source) return;
  var fallback = box.querySelector(".pf-chart__fallback");
  if (!window.echarts) {
    if (fallback) fallback.textContent = "The chart could not be drawn; the numbers are in the table below.";
    return;
  }

  var data = JSON.parse(source.textContent);
  var scope = document.getElementById("pf-scope");
  var currency = box.getAttribute("data-currency") || "";
  var SERIES = [
    { key: "pv", name: "PV", label: "Planned value", color: "#64748b", type: "dashed", width: 2 },
    { key: "ev", name: "EV", label: "Earned value", color: "#3b4fd8", type: "solid", width: 2.5 },
    { key: "ac", name: "AC", label: "Actual cost", color: "#b45309", type: "dotted", width: 2.5 },
  ];
  var numberFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
  var compactFormat = new Intl.NumberFormat("en-GB", { notation: "compact", maximumFractionDigits: 1 });
  var dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

  function money(value) {
    if (value == null) return "—";
    var amount = numberFormat.format(value).replace("-", "\u2212");
    // as the server writes it: the code after the amount, never on a line of its own
    return currency ? amount + "\u00a0" + currency : amount;
  }

  function day(iso) {
    return dateFormat.format(new Date(iso + "T00:00:00Z"));
  }

  function curvesOf(key) {
    return key ? data.projects[key] : data.program;
  }

  function series(curves) {
    return SERIES.map(function (s, i) {
      var line = {
        id: s.key,
        name: s.name,
        type: "line",
        showSymbol: false,
        symbol: ["circle", "triangle", "diamond"][i],
        symbolSize: 7,
        connectNulls: false,
        lineStyle: { color: s.color, type: s.type, width: s.width },
        itemStyle: { color: s.color },
        emphasis: { focus: "series" },
        endLabel: {
          show: true,
          formatter: s.name,
          color: s.color,
          fontWeight: 600,
          distance: 6,
        },
        data: data.dates.map(function (d, j) {
          return [d, curves[s.key][j]];
        }),
      };
      if (i === 0) {
        line.markLine = {
          silent: true,
          symbol: ["none", "none"],
          lineStyle: { color: "#1c2430", type: "solid", width: 1.5 },
          label: {
            formatter: "Status date " + day(data.status_date),
            position: "end",
            color: "#1c2430",
            fontSize: 11,
          },
          data: [{ xAxis: data.status_date }],
        };
      }
      return line;
    });
  }

  if (fallback) fallback.remove();
  var chart = window.echarts.init(box, null, { renderer: "canvas" });
  chart.on("finished", function () {
    box.setAttribute("data-drawn", "true");
  });

  chart.setOption({
    animation: false,
    grid: { left: 8, right: 44, top: 28, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "axis",
      valueFormatter: money,
      axisPointer: { type: "line" },
    },
    xAxis: {
      type: "time",
      axisLabel: { color: "#5f6b7a", hideOverlap: true },
      axisLine: { lineStyle: { color: "#cfd5dd" } },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      name: currency,
      nameLocation: "end",
      nameGap: 10,
      nameTextStyle: { color: "#5f6b7a", align: "right", fontWeight: 600 },
      axisLabel: {
        color: "#5f6b7a",
        formatter: function (v) {
          return compactFormat.format(v);
        },
      },
      splitLine: { lineStyle: { color: "#eef0f3" } },
    },
    series: series(curvesOf("")),
  });

  if (scope) {
    scope.addEventListener("change", function () {
      box.removeAttribute("data-drawn");
      chart.setOption({ series: series(curvesOf(scope.value)) });
      box.setAttribute("data-scope", scope.value);
    });
  }
  window.addEventListener("resize", function () {
    chart.resize();
  });
})();
