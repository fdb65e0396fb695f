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

  // The histogram's axis counts bars, not calendar days: every bar holds the same number
  // of working days (the server bins them so), so bar k spans [k, k + 1) whatever calendar
  // days it covers: a bar from Friday to Monday is as wide as one from Tuesday to
  // Wednesday, and the weekends and holidays between bars take no room. A date falls in
  // its bar in proportion to the calendar days, on the edge of the next bar when no bar
  // covers it, and before the first bar or after the last at the bars' mean length.
  var DAY = 86400000;

  function stamp(iso) {
    return Date.parse(iso + "T00:00:00Z");
  }

  function barAxis(bins) {
    var n = bins.length;
    var firsts = bins.map(function (b) { return stamp(b[0]); });
    var ends = bins.map(function (b) { return stamp(b[1]) + DAY; }); // the end of a bar's last day
    var mean = n ? (ends[n - 1] - firsts[0]) / n : DAY;
    function at(t) {
      if (!n) return 0;
      if (t < firsts[0]) return (t - firsts[0]) / mean;
      for (var k = 0; k < n; k++) {
        if (t < firsts[k]) return k;
        if (t < ends[k]) return k + (t - firsts[k]) / (ends[k] - firsts[k]);
      }
      return n + (t - ends[n - 1]) / mean;
    }
    function time(x) {
      if (!n) return 0;
      if (x < 0) return firsts[0] + x * mean;
      if (x >= n) return ends[n - 1] + (x - n) * mean;
      var k = Math.floor(x);
      return firsts[k] + (x - k) * (ends[k] - firsts[k]);
    }
    // where a day's line goes: at its end, as a bar's share counts the finishes by its last day
    function end(iso) {
      return at(stamp(iso) + DAY);
    }
    return { bars: n, at: at, time: time, end: end };
  }

  // The date axis of the histogram: ECharts' own ticks on a time axis of a few months are
  // day numbers at uneven steps ("8 15 22 29 6 8"), month names hidden as overlapping.
  // Ours fall every week, two weeks or months, as many as the width takes, each a date
  // ("8 Mar"; "Mar" when a month apart) with its year on the first and where it changes.
  var LABEL_WIDTH = 72; // px taken by "29 Mar 2027" and the space around it
  var dayMonth = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
  var monthOnly = new Intl.DateTimeFormat("en-GB", { month: "short", timeZone: "UTC" });
  var STEPS = [
    { days: 1 }, { days: 2 }, { days: 7 }, { days: 14 },
    { months: 1 }, { months: 2 }, { months: 3 }, { months: 6 }, { months: 12 },
  ];

  function ticksEvery(step, lo, hi) {
    var ticks = [];
    var d = new Date(lo);
    d.setUTCHours(0, 0, 0, 0);
    if (d.getTime() < lo) d.setUTCDate(d.getUTCDate() + 1);
    if (step.days) {
      if (step.days >= 7) d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7)); // a Monday
      for (; d.getTime() <= hi; d.setUTCDate(d.getUTCDate() + step.days)) ticks.push(d.getTime());
    } else {
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
      if (d.getTime() < lo) d.setUTCMonth(d.getUTCMonth() + 1);
      while (d.getUTCMonth() % step.months) d.setUTCMonth(d.getUTCMonth() + 1);
      for (; d.getTime() <= hi; d.setUTCMonth(d.getUTCMonth() + step.months)) ticks.push(d.getTime());
    }
    return ticks;
  }

  // the dates ticked between bar positions lo and hi, each at its bar position (two days
  // no bar covers, a Saturday and a Sunday, would share one: the first is kept)
  function placedTicks(axis, step, lo, hi) {
    var placed = [];
    ticksEvery(step, axis.time(lo), axis.time(hi)).forEach(function (t) {
      var x = axis.at(t);
      if (!placed.length || x - placed[placed.length - 1].x > 1e-6) placed.push({ x: x, t: t });
    });
    return placed;
  }

  function dateAxis(axis, lo, hi, width) {
    var most = Math.max(2, Math.floor(width / LABEL_WIDTH));
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) {
      step = STEPS[i];
      if (placedTicks(axis, step, lo, hi).length <= most) break;
    }
    var ticks = placedTicks(axis, step, lo, hi);
    var dayAt = {};
    var previous = {};
    ticks.forEach(function (tick, n) {
      dayAt[tick.x] = tick.t;
      previous[tick.x] = n ? ticks[n - 1].t : undefined;
    });
    function label(value, index) {
      var t = dayAt[value];
      if (t === undefined) return "";
      var day = new Date(t);
      var text = (step.days ? dayMonth : monthOnly).format(day);
      var before = previous[value];
      var newYear = index === 0 || before === undefined || new Date(before).getUTCFullYear() !== day.getUTCFullYear();
      return newYear ? text + " " + day.getUTCFullYear() : text;
    }
    var values = ticks.map(function (tick) { return tick.x; });
    return {
      type: "value",
      min: lo,
      max: hi,
      axisLabel: { color: AXIS.color, hideOverlap: true, customValues: values, formatter: label },
      axisTick: { customValues: values },
      axisLine: { lineStyle: { color: "#cfd5dd" } },
      splitLine: { show: false },
    };
  }

  // the bar positions the histogram spans: its bars, and the target or planned finish
  // outside them, with half a bar to spare on each side
  function extent(outcome, axis) {
    var lo = 0, hi = axis.bars;
    [outcome.target, outcome.finish].forEach(function (iso) {
      if (iso) {
        lo = Math.min(lo, axis.end(iso));
        hi = Math.max(hi, axis.end(iso));
      }
    });
    return [lo - 0.5, hi + 0.5];
  }

  function plotWidth(chart) {
    return chart.getWidth() - 90; // less the two value axes' labels
  }

  function marker(x, label, color) {
    return { xAxis: x, label: { formatter: label, color: color, fontSize: 11, position: "end" }, lineStyle: { color: color, type: "dashed", width: 1.5 } };
  }

  function histogram(outcome, width) {
    var axis = barAxis(outcome.bins);
    var span = extent(outcome, axis);
    // a bar: [its middle, iterations, first day, last day, % finished by its last day]
    var bars = outcome.bins.map(function (b, k) {
      return [k + 0.5, b[2], b[0], b[1], Math.round(b[3] * 1000) / 10];
    });
    // the share finished, rising at the end of each bar
    var cumulative = [[0, 0]].concat(outcome.bins.map(function (b, k) {
      return [k + 1, Math.round(b[3] * 1000) / 10];
    }));
    var marks = [marker(axis.end(outcome.p50), "P50", "#5f6b7a"), marker(axis.end(outcome.p80), "P80 " + shortFormat.format(new Date(outcome.p80 + "T00:00:00Z")), "#3b4fd8")];
    if (outcome.target) marks.push(marker(axis.end(outcome.target), "Target", "#b42318"));
    if (outcome.finish) marks.push(marker(axis.end(outcome.finish), "Planned", "#1c2430"));
    return {
      animation: false,
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: ["Iterations", "Finished by (%)"] },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var bar = items.filter(function (it) { return it.seriesIndex === 0; })[0];
          if (!bar) return "";
          var v = bar.value;
          var days = day(v[2]) + (v[3] !== v[2] ? " – " + day(v[3]) : "");
          return days + ": " + v[1] + " iterations<br>Finished by " + day(v[3]) + ": " + v[4] + " %";
        },
      },
      xAxis: dateAxis(axis, span[0], span[1], width),
      yAxis: [
        { type: "value", name: "iterations", nameTextStyle: AXIS, axisLabel: AXIS, splitLine: { lineStyle: { color: "#eef0f3" } } },
        { type: "value", name: "%", min: 0, max: 100, nameTextStyle: AXIS, axisLabel: AXIS, splitLine: { show: false } },
      ],
      series: [
        { name: "Iterations", type: "bar", barCategoryGap: "10%", itemStyle: { color: "#9aa8f5" }, data: bars, barMaxWidth: 24,
          markLine: { silent: true, symbol: ["none", "none"], data: marks } },
        { name: "Finished by (%)", type: "line", yAxisIndex: 1, step: "end", showSymbol: false, silent: true, lineStyle: { color: "#3b4fd8", width: 2 }, itemStyle: { color: "#3b4fd8" }, data: cumulative },
      ],
    };
  }

  var chart = window.echarts.init(box, null, { renderer: "canvas" });
  drawn(chart, box);
  var shown = data.outcomes[""];
  chart.setOption(histogram(shown, plotWidth(chart)));
  var scope = document.getElementById("fc-scope");
  if (scope) {
    scope.addEventListener("change", function () {
      box.removeAttribute("data-drawn");
      shown = data.outcomes[scope.value];
      chart.setOption(histogram(shown, plotWidth(chart)), true);
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
    var axis = barAxis(shown.bins);
    var span = extent(shown, axis);
    chart.setOption({ xAxis: dateAxis(axis, span[0], span[1], plotWidth(chart)) }); // as many dates as fit
  });
})();
