// The benefits page: one ECharts chart per KPI (from npm, /assets/echarts), drawn from
// the JSON the server embedded beside it — the readings, the straight path from
// baseline to target (dashed), the least-squares trend (dotted, the engine's line from
// the first reading it is fitted from), the target and the status date. Readings dated
// after the day judged on are not counted yet: hollow points apart from the measured
// line. The same readings are in the table beside each chart.
(function () {
  "use strict";

  var esc = window.podiumEscape;

  var sources = document.querySelectorAll(".bn-chart-data");
  if (!sources.length) return;
  var numberFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });
  var dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

  function day(iso) {
    return dateFormat.format(new Date(iso.slice(0, 10) + "T00:00:00Z"));
  }

  Array.prototype.forEach.call(sources, function (source) {
    var box = document.getElementById(source.getAttribute("data-for"));
    if (!box) return;
    var fallback = box.querySelector(".bn-chart__fallback");
    if (!window.echarts) {
      if (fallback) fallback.textContent = "The chart could not be drawn; the readings are in the table.";
      return;
    }
    var data = JSON.parse(source.textContent);
    var unit = data.unit ? " " + data.unit : "";
    box.textContent = "";
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    var series = [
      {
        name: "Linear path to target", type: "line", data: data.path, symbol: "none",
        lineStyle: { color: "#64748b", type: "dashed", width: 2 }, itemStyle: { color: "#64748b" },
        endLabel: { show: true, formatter: "target", color: "#5f6b7a" },
        markLine: {
          silent: true, symbol: "none",
          // level, above the plot: drawn along the line it crossed the measured line,
          // which ends at the status date
          label: { formatter: "status date", color: "#5f6b7a", position: "end", distance: 4 },
          lineStyle: { color: "#94a3b8", type: "solid", width: 1 },
          data: [{ xAxis: data.as_of }],
        },
      },
      {
        name: "Measured", type: "line", data: data.measured, symbolSize: 7,
        lineStyle: { color: "#3b4fd8", width: 2.5 }, itemStyle: { color: "#3b4fd8" },
      },
    ];
    if (data.later && data.later.length) {
      series.push({
        name: "Not counted yet", type: "scatter", data: data.later, symbol: "emptyCircle",
        symbolSize: 8, itemStyle: { color: "#64748b", borderWidth: 2 },
      });
    }
    if (data.trend) {
      series.push({
        name: "Trend of the readings", type: "line", data: data.trend, symbol: "none",
        lineStyle: { color: "#b45309", type: "dotted", width: 2 }, itemStyle: { color: "#b45309" },
      });
    }
    chart.setOption({
      animation: false,
      // three rows above the plot, none over another: the legend (one line, scrolling
      // when narrow), the unit of the value axis, the status date's label
      legend: { type: "scroll", top: 0, left: 0, right: 0, textStyle: { color: "#5f6b7a" } },
      grid: { left: 56, right: 60, top: 66, bottom: 30 },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          return day(items[0].axisValueLabel || items[0].value[0]) + "<br>" + items.map(function (item) {
            return item.marker + esc(item.seriesName) + ": " + numberFormat.format(item.value[1]) + esc(unit);
          }).join("<br>");
        },
      },
      xAxis: { type: "time", axisLabel: { color: "#5f6b7a", hideOverlap: true } },
      yAxis: {
        type: "value", scale: true, name: data.unit || "", nameGap: 24,
        nameTextStyle: { color: "#5f6b7a", align: "right" },
        axisLabel: { color: "#5f6b7a" }, splitLine: { lineStyle: { color: "#eef0f3" } },
      },
      series: series,
    });
    box.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
