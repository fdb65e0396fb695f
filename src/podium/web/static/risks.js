// The risk page's score history: ECharts (from npm, /assets/echarts) draws the score
// after each change as a step line over time, from the JSON the server embedded in
// the page; the same numbers are in the table under the chart.
(function () {
  "use strict";

  var box = document.getElementById("rk-history-chart");
  var source = document.getElementById("rk-history-data");
  if (!box || !source) return;
  var fallback = box.querySelector(".rk-chart__fallback");
  if (!window.echarts) {
    if (fallback) fallback.textContent = "The chart could not be drawn; the numbers are in the table below.";
    return;
  }
  var data = JSON.parse(source.textContent);
  var points = data.points.map(function (p) { return [p.at, p.score]; });
  if (points.length) points.push([new Date().toISOString(), points[points.length - 1][1]]);
  var dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" });
  box.textContent = "";
  var chart = window.echarts.init(box, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    grid: { left: 34, right: 14, top: 14, bottom: 28 },
    tooltip: {
      trigger: "axis",
      formatter: function (items) {
        var item = items[0];
        return dateFormat.format(new Date(item.value[0])) + ": score " + item.value[1];
      },
    },
    xAxis: { type: "time", axisLabel: { color: "#5f6b7a", hideOverlap: true } },
    yAxis: {
      type: "value", min: 0, max: 25, interval: 5,
      axisLabel: { color: "#5f6b7a" }, splitLine: { lineStyle: { color: "#eef0f3" } },
    },
    series: [{
      type: "line", step: "end", data: points, symbolSize: 7,
      lineStyle: { color: "#b42318", width: 2.5 }, itemStyle: { color: "#b42318" },
      markArea: {
        silent: true,
        data: [
          [{ yAxis: 20, itemStyle: { color: "rgba(180,35,24,0.07)" } }, { yAxis: 25 }],
          [{ yAxis: 10, itemStyle: { color: "rgba(234,120,20,0.06)" } }, { yAxis: 20 }],
        ],
      },
    }],
  });
  box.setAttribute("data-drawn", "true");
  window.addEventListener("resize", function () { chart.resize(); });
})();
