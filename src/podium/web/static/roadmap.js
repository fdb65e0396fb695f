// The roadmap: a Gantt of every project of a program, drawn as SVG from
// /programs/{id}/roadmap.json. Our own small renderer (see docs/web-roadmap.md
// for why no library): rows are projects, their WBS and the program milestones;
// one SVG string per redraw keeps 2,000 rows well under a second.
//
// Managers drag a bar (its start becomes a "start no earlier than" constraint)
// or its right end (its duration), or type dates in the side panel; the change
// goes to PATCH /api/v1/tasks/{id} with the session's CSRF token, the program
// reschedules on the server, and the chart reloads and highlights what moved.
(function () {
  "use strict";

  var root = document.getElementById("roadmap");
  if (!root) return;

  var ROW = 28;
  var MARGIN_ROWS = 150; // rows drawn above and below the ones in view
  var HEAD = 46;
  // the names column: on a phone under half the chart's width, so that the bars beside it
  // show too, yet wide enough for a key and a short name (its "critical" tag is a ▲ there,
  // its indent smaller: see the CSS)
  var PHONE = window.matchMedia("(max-width: 720px)").matches;
  var INDENT = PHONE ? 10 : 16;
  var DAY_MS = 864e5;
  var ZOOMS = {
    day: { px: 26, top: "month", bottom: "day" },
    week: { px: 7, top: "month", bottom: "week" },
    month: { px: 2.4, top: "year", bottom: "month" },
    quarter: { px: 0.9, top: "year", bottom: "quarter" },
  };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  var viewport = root.querySelector(".rm-viewport");
  var LABEL = PHONE ? Math.max(130, Math.min(180, Math.floor(viewport.clientWidth * 0.48))) : 320;
  var statusBox = root.querySelector(".rm-status");
  var details = root.querySelector(".rm-details");
  var clearButton = root.querySelector('[data-action="clear-moved"]');
  var zoomKey = "podium.roadmap.zoom." + root.dataset.programId;

  var state = {
    data: null,
    nodes: new Map(),
    tops: [],
    rows: [],
    rowOf: new Map(),
    collapsed: new Set(),
    moved: new Map(),
    selected: null,
    zoom: null,
    px: 7,
    lo: 0,
    hi: 0,
    cal: null,
    canEdit: root.dataset.canEdit === "true",
    busy: false,
    from: 0, // the rows drawn: [from, to) of state.rows, the viewport's and a margin around it
    to: 0,
  };

  // --- days, as whole numbers since 1970-01-01 (UTC) ---------------------------

  function dn(iso) {
    if (!iso) return null;
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
  }
  function isoOf(n) {
    return new Date(n * DAY_MS).toISOString().slice(0, 10);
  }
  function ymd(n) {
    var d = new Date(n * DAY_MS);
    return { y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate() };
  }
  function weekday(n) {
    return (((n + 3) % 7) + 7) % 7; // Monday 0 … Sunday 6 (1 Jan 1970 was a Thursday)
  }
  function human(n) {
    var p = ymd(n);
    return p.d + " " + MONTHS[p.m] + " " + p.y;
  }
  function monthStart(y, m) {
    return Date.UTC(y, m, 1) / DAY_MS;
  }
  var esc = window.podiumEscape;
  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  // the program's calendar: worked weekdays, holidays (off) and extra working days
  // (worked although the week leaves their weekday off; a holiday wins over one)
  function WorkCalendar(weekmask, holidays, extra) {
    this.mask = weekmask || "1111100";
    this.holidays = new Set((holidays || []).map(dn));
    this.extra = new Set((extra || []).map(dn));
  }
  WorkCalendar.prototype.isWork = function (n) {
    if (this.holidays.has(n)) return false;
    return this.mask.charAt(weekday(n)) === "1" || this.extra.has(n);
  };
  WorkCalendar.prototype.onOrAfter = function (n) {
    for (var i = 0; i < 3700 && !this.isWork(n); i++) n++;
    return n;
  };
  WorkCalendar.prototype.count = function (a, b) {
    var c = 0;
    for (var n = a; n <= b; n++) if (this.isWork(n)) c++;
    return c;
  };
  WorkCalendar.prototype.diff = function (a, b) {
    if (a === b) return 0;
    return b > a ? this.count(a + 1, b) : -this.count(b + 1, a);
  };

  // --- the model: nodes in a tree (program milestones, projects, WBS) ---------

  function build(data) {
    var nodes = new Map();
    var tops = [];
    if (data.milestones.length) {
      var group = { id: "ms", kind: "group", key: "", name: "Program milestones", children: [] };
      nodes.set("ms", group);
      tops.push(group);
      data.milestones.forEach(function (m) {
        var node = {
          id: "m" + m.id,
          kind: "pmilestone",
          key: m.key,
          name: m.name,
          s: dn(m.forecast),
          f: dn(m.forecast),
          target: dn(m.target),
          // false: no work leads to it yet, so it has no forecast (forecast is null)
          fed: m.fed !== false,
          critical: m.critical,
          totalFloat: m.total_float,
          parent: group,
          children: [],
          raw: m,
        };
        nodes.set(node.id, node);
        group.children.push(node);
      });
    }
    data.projects.forEach(function (p) {
      var node = {
        id: "p" + p.id,
        kind: "project",
        key: p.key,
        name: p.name,
        s: dn(p.start),
        f: dn(p.finish),
        children: [],
        count: 0,
        raw: p,
      };
      nodes.set(node.id, node);
      tops.push(node);
    });
    data.tasks.forEach(function (t) {
      nodes.set("t" + t.id, {
        id: "t" + t.id,
        kind: t.summary ? "summary" : t.milestone ? "milestone" : "task",
        key: t.key,
        name: t.name,
        s: dn(t.start),
        f: dn(t.finish),
        critical: t.critical,
        bs: t.baseline_start ? dn(t.baseline_start) : null,
        bf: t.baseline_finish ? dn(t.baseline_finish) : null,
        children: [],
        raw: t,
      });
    });
    data.tasks.forEach(function (t) {
      var node = nodes.get("t" + t.id);
      var project = nodes.get("p" + t.project_id);
      node.project = project;
      node.parent = (t.parent_id && nodes.get("t" + t.parent_id)) || project;
      node.parent.children.push(node);
      project.count++;
    });
    state.nodes = nodes;
    state.tops = tops;
  }

  function initialCollapse(data) {
    // A very large program opens with only as many projects expanded as fit the budget.
    // The first project always opens.
    var budget = data.row_budget || 2000;
    var shown = 0;
    var opened = false;
    state.tops.forEach(function (top) {
      var size = top.kind === "project" ? top.count : top.children.length;
      var first = top.kind === "project" && !opened;
      if (!first && shown + size > budget) state.collapsed.add(top.id);
      else shown += size;
      if (top.kind === "project") opened = true;
    });
  }

  function defaultZoom() {
    var saved = null;
    try {
      saved = window.localStorage.getItem(zoomKey);
    } catch (e) {
      saved = null;
    }
    if (saved && ZOOMS[saved]) return saved;
    var span = state.rawHi - state.rawLo;
    if (span <= 45) return "day";
    if (span <= 400) return "week";
    if (span <= 1500) return "month";
    return "quarter";
  }

  function computeRange() {
    var lo = Infinity;
    var hi = -Infinity;
    state.nodes.forEach(function (n) {
      if (n.s !== null && n.s !== undefined) lo = Math.min(lo, n.s);
      if (n.f !== null && n.f !== undefined) hi = Math.max(hi, n.f);
    });
    // the program's scheduled work, which the chart opens on when today is outside it
    state.workLo = isFinite(lo) ? lo : dn(state.data.today);
    state.workHi = isFinite(hi) ? hi : state.workLo;
    state.nodes.forEach(function (n) {
      if (n.target) {
        lo = Math.min(lo, n.target);
        hi = Math.max(hi, n.target);
      }
    });
    var start = dn(state.data.program.start);
    if (start !== null) lo = Math.min(lo, start);
    // nothing dated but the program's start (or nothing at all): a chart of one day,
    // never an open end (an infinite bound would leave ticks() counting forever)
    if (!isFinite(lo) && !isFinite(hi)) lo = hi = dn(state.data.today);
    else if (!isFinite(hi)) hi = lo;
    else if (!isFinite(lo)) lo = hi;
    var today = dn(state.data.today);
    if (today >= lo - 120 && today <= hi + 120) {
      lo = Math.min(lo, today);
      hi = Math.max(hi, today);
    }
    state.rawLo = lo - 7;
    state.rawHi = hi + 21;
  }

  function alignRange() {
    var lo = state.rawLo;
    var hi = state.rawHi;
    var z = state.zoom;
    if (z === "day" || z === "week") {
      lo -= weekday(lo);
    } else {
      var p = ymd(lo);
      lo = monthStart(p.y, z === "quarter" ? p.m - (p.m % 3) : p.m);
    }
    var q = ymd(hi);
    hi = monthStart(q.y, q.m + 1) - 1;
    state.lo = lo;
    state.hi = hi;
    state.px = ZOOMS[z].px;
  }

  function x(n) {
    return Math.round((n - state.lo) * state.px * 10) / 10;
  }

  function visibleRows() {
    var rows = [];
    var rowOf = new Map();
    function visit(node, depth) {
      node.depth = depth;
      rowOf.set(node.id, rows.length);
      rows.push(node);
      if (state.collapsed.has(node.id)) return;
      for (var i = 0; i < node.children.length; i++) visit(node.children[i], depth + 1);
    }
    state.tops.forEach(function (n) {
      visit(n, 0);
    });
    state.rows = rows;
    state.rowOf = rowOf;
  }

  function rowIndex(node) {
    // A hidden node is drawn at its nearest visible ancestor (a collapsed summary or project).
    while (node) {
      var i = state.rowOf.get(node.id);
      if (i !== undefined) return i;
      node = node.parent;
    }
    return -1;
  }

  // --- drawing -------------------------------------------------------------------

  function ticks(unit) {
    var out = [];
    var lo = state.lo;
    var hi = state.hi + 1;
    if (!isFinite(lo) || !isFinite(hi)) return out;
    var p = ymd(lo);
    var n;
    if (unit === "day") {
      for (n = lo; n < hi; n++) out.push({ n: n, label: String(ymd(n).d) });
    } else if (unit === "week") {
      for (n = lo - weekday(lo); n < hi; n += 7) {
        var w = ymd(n);
        out.push({ n: n, label: w.d + " " + MONTHS[w.m] });
      }
    } else if (unit === "month" || unit === "quarter") {
      var step = unit === "month" ? 1 : 3;
      var m = unit === "month" ? p.m : p.m - (p.m % 3);
      for (var y = p.y; ; m += step) {
        n = monthStart(y, m);
        if (n >= hi) break;
        var q = ymd(n);
        out.push({
          n: n,
          label: unit === "month" ? MONTHS[q.m] : "Q" + (Math.floor(q.m / 3) + 1),
          long: MONTHS[q.m] + " " + q.y,
        });
      }
    } else if (unit === "year") {
      for (var yr = p.y; (n = monthStart(yr, 0)) < hi; yr++) out.push({ n: Math.max(n, lo), label: String(yr) });
    }
    return out;
  }

  function headerSvg(width) {
    var z = ZOOMS[state.zoom];
    var top = ticks(z.top);
    var bottom = ticks(z.bottom);
    var s = ['<svg class="rm-head-svg" width="' + width + '" height="' + HEAD + '" data-zoom="' + state.zoom + '" aria-hidden="true">'];
    var todayN = dn(state.data.today);
    var todayX = todayN >= state.lo && todayN <= state.hi ? x(todayN) + state.px / 2 : null;
    top.forEach(function (t, i) {
      var x0 = Math.max(0, x(t.n));
      var x1 = i + 1 < top.length ? x(top[i + 1].n) : width;
      var label = z.top === "month" ? t.long : t.label;
      s.push('<line class="rm-head__major" x1="' + x0 + '" x2="' + x0 + '" y1="0" y2="' + HEAD + '"/>');
      // the label moves past the Today badge (40 px wide) rather than sit under it
      var at = x0 + 6;
      var wide = label.length * 7;
      if (todayX !== null && at < todayX + 24 && at + wide > todayX - 24) at = todayX + 24;
      if (x1 - at > 30) s.push('<text class="rm-head__top" x="' + at + '" y="17">' + esc(label) + "</text>");
    });
    var minGap = z.bottom === "day" ? 0 : 18;
    bottom.forEach(function (t, i) {
      var x0 = x(t.n);
      var x1 = i + 1 < bottom.length ? x(bottom[i + 1].n) : width;
      if (x0 < 0) return;
      s.push('<line class="rm-head__minor" x1="' + x0 + '" x2="' + x0 + '" y1="24" y2="' + HEAD + '"/>');
      if (x1 - x0 > minGap) {
        var cls = z.bottom === "day" && weekday(t.n) >= 5 ? "rm-head__bottom rm-head__weekend" : "rm-head__bottom";
        var cx = z.bottom === "day" ? x0 + (x1 - x0) / 2 : x0 + 4;
        var anchor = z.bottom === "day" ? ' text-anchor="middle"' : "";
        s.push('<text class="' + cls + '" x="' + cx + '" y="39"' + anchor + ' data-tick="' + isoOf(t.n) + '">' + esc(t.label) + "</text>");
      }
    });
    s.push('<line class="rm-head__base" x1="0" x2="' + width + '" y1="' + (HEAD - 0.5) + '" y2="' + (HEAD - 0.5) + '"/>');
    var today = dn(state.data.today);
    if (today >= state.lo && today <= state.hi) {
      var tx = x(today) + state.px / 2;
      s.push('<g class="rm-head__today" transform="translate(' + tx + ',0)"><rect x="-20" y="1" width="40" height="15" rx="7"/><text y="12" text-anchor="middle">Today</text></g>');
    }
    s.push("</svg>");
    return s.join("");
  }

  function barTitle(n) {
    var lines = [n.key + " " + n.name];
    if (n.kind === "pmilestone") {
      lines.push(n.fed ? "Program milestone, forecast " + (n.s !== null ? human(n.s) : "not scheduled") : "Program milestone, no forecast yet: no work is linked to it");
      if (n.target !== null) lines.push("Target " + human(n.target));
    } else if (n.s !== null) {
      var work = n.kind === "project" ? "" : " (" + plural(n.raw.duration || state.cal.count(n.s, n.f), "working day") + ")";
      lines.push(human(n.s) + " → " + human(n.f) + (n.kind === "milestone" ? "" : work));
    }
    if (n.raw && n.raw.total_float !== undefined && n.raw.total_float !== null) {
      lines.push("Total float " + plural(n.raw.total_float, "working day"));
    }
    if (n.critical) lines.push("On the critical path");
    var moved = state.moved.get(n.id);
    if (moved) lines.push("Moved: was " + human(moved.s0) + " → " + human(moved.f0));
    return "<title>" + esc(lines.join("\n")) + "</title>";
  }

  function movedClass(n) {
    return state.moved.has(n.id) ? " is-moved" : "";
  }

  function drawUnfed(n, row, out) {
    // a program milestone no work leads to: no forecast to draw, only its target
    if (n.target === null) return;
    var tx = x(n.target + 1);
    var sel = state.selected === n.id ? " is-selected" : "";
    out.push('<g class="rm-bar rm-bar--pmilestone rm-bar--unfed' + sel + '" data-node="' + n.id + '" data-key="' + esc(n.key) + '" data-target="' + isoOf(n.target) + '" transform="translate(' + tx + "," + (row * ROW + ROW / 2) + ')">');
    out.push('<path class="rm-target" d="M0 -6l6 6l-6 6l-6 -6Z"/>');
    out.push('<text class="rm-bar__label" x="12" y="4">' + esc(n.key + " target · no forecast yet") + "</text>");
    out.push(barTitle(n) + "</g>");
  }

  function drawBar(n, row, out) {
    if (n.kind === "pmilestone" && !n.fed) return drawUnfed(n, row, out);
    if (n.kind === "group" || n.s === null || n.f === null) return;
    var y = row * ROW;
    var attrs = ' data-node="' + n.id + '" data-key="' + esc(n.key) + '" data-start="' + isoOf(n.s) + '" data-finish="' + isoOf(n.f) + '"';
    var crit = n.critical ? " is-critical" : "";
    var sel = state.selected === n.id ? " is-selected" : "";
    var x0 = x(n.s);
    var x1 = x(n.f + 1);
    var w = Math.max(x1 - x0, 2);
    if (n.kind === "task" && n.bs !== null && n.bf !== null) {
      // the current baseline's dates: a thin bar under the live one
      var bx0 = x(n.bs);
      var bw = Math.max(x(n.bf + 1) - bx0, 2);
      out.push('<rect class="rm-baseline" data-baseline-of="' + n.id + '" data-baseline-start="' + isoOf(n.bs) + '" data-baseline-finish="' + isoOf(n.bf) + '" x="' + bx0 + '" y="' + (y + 23) + '" width="' + bw + '" height="4" rx="1"><title>Baseline ' + human(n.bs) + " – " + human(n.bf) + "</title></rect>");
    }
    if (n.kind === "task") {
      var drag = state.canEdit ? " is-draggable" : "";
      var done = n.raw.percent >= 100 ? " is-done" : "";
      out.push('<g class="rm-bar rm-bar--task' + crit + movedClass(n) + drag + done + sel + '"' + attrs + ' transform="translate(' + x0 + "," + (y + 7) + ')">');
      out.push('<rect class="rm-bar__body" width="' + w + '" height="14" rx="3"/>');
      if (n.raw.percent > 0) out.push('<rect class="rm-bar__progress" width="' + Math.max(1, (w * Math.min(100, n.raw.percent)) / 100) + '" height="4" y="10" rx="1"/>');
      if (state.canEdit) out.push('<rect class="rm-handle rm-handle--resize" x="' + (w - 4) + '" y="-2" width="8" height="18" rx="2"/>');
      out.push('<text class="rm-bar__label" x="' + (w + 6) + '" y="11">' + esc(n.key) + (n.critical ? " ▲" : "") + "</text>");
      out.push(barTitle(n) + "</g>");
    } else if (n.kind === "summary" || n.kind === "project") {
      var h = n.kind === "project" ? 8 : 6;
      var top = n.kind === "project" ? 8 : 9;
      out.push('<g class="rm-bar rm-bar--' + n.kind + crit + movedClass(n) + sel + '"' + attrs + ' transform="translate(' + x0 + "," + (y + top) + ')">');
      out.push('<path class="rm-bracket" d="M0 0H' + w + "V" + (h + 5) + "L" + (w - 5) + " " + h + "H5L0 " + (h + 5) + 'Z"/>');
      out.push(barTitle(n) + "</g>");
    } else {
      // a task milestone or a program milestone: a diamond at the end of its day
      var cx = x(n.f + 1);
      var cy = y + ROW / 2;
      var cls = n.kind === "pmilestone" ? "rm-bar rm-bar--pmilestone" : "rm-bar rm-bar--milestone";
      var late = n.kind === "pmilestone" && n.target !== null && n.f > n.target;
      var drg = state.canEdit && n.kind === "milestone" ? " is-draggable" : "";
      if (n.kind === "pmilestone" && n.target !== null) {
        var tx = x(n.target + 1);
        if (tx !== cx) out.push('<line class="rm-target-gap' + (late ? " is-late" : "") + '" x1="' + Math.min(tx, cx) + '" x2="' + Math.max(tx, cx) + '" y1="' + cy + '" y2="' + cy + '"/>');
        out.push('<path class="rm-target" d="M' + tx + " " + (cy - 6) + "l6 6l-6 6l-6 -6Z" + '"><title>' + esc(n.key + " target " + human(n.target)) + "</title></path>");
      }
      out.push('<g class="' + cls + crit + movedClass(n) + drg + (late ? " is-late" : "") + sel + '"' + attrs + ' transform="translate(' + cx + "," + cy + ')">');
      out.push('<path class="rm-diamond" d="M0 -8L8 0L0 8L-8 0Z"/>');
      var label = n.key;
      if (late) label += " · " + plural(state.cal.diff(n.target, n.f), "working day") + " late";
      var labelX = n.kind === "pmilestone" && n.target !== null ? Math.max(cx, x(n.target + 1)) - cx + 12 : 12;
      out.push('<text class="rm-bar__label" x="' + labelX + '" y="4">' + esc(label) + (n.critical ? " ▲" : "") + "</text>");
      out.push(barTitle(n) + "</g>");
    }
  }

  function anchors(link, a, b) {
    var t = link.type || "FS";
    var fromFinish = t.charAt(0) === "F";
    var toStart = t.charAt(1) === "S";
    function left(n) {
      return n.kind === "milestone" || n.kind === "pmilestone" ? x(n.f + 1) - 8 : x(n.s);
    }
    function right(n) {
      return n.kind === "milestone" || n.kind === "pmilestone" ? x(n.f + 1) + 8 : x(n.f + 1);
    }
    return { ax: fromFinish ? right(a) : left(a), bx: toStart ? left(b) : right(b), sd: fromFinish ? 1 : -1, td: toStart ? 1 : -1 };
  }

  function linkPath(link, a, b, ra, rb) {
    var p = anchors(link, a, b);
    var y1 = ra * ROW + ROW / 2;
    var y2 = rb * ROW + ROW / 2;
    var p1 = p.ax + 8 * p.sd;
    var q1 = p.bx - 8 * p.td;
    var end = p.bx - 2 * p.td;
    if (p.sd !== p.td) {
      var turn = p.sd < 0 ? Math.min(p1, q1) : Math.max(p1, q1);
      return "M" + p.ax + " " + y1 + "H" + turn + "V" + y2 + "H" + end;
    }
    if ((q1 - p1) * p.sd >= 0) return "M" + p.ax + " " + y1 + "H" + p1 + "V" + y2 + "H" + end;
    var mid = rb > ra ? rb * ROW + 1 : (rb + 1) * ROW - 1;
    return "M" + p.ax + " " + y1 + "H" + p1 + "V" + mid + "H" + q1 + "V" + y2 + "H" + end;
  }

  function drawLinks(out) {
    state.data.links.forEach(function (link) {
      var a = state.nodes.get(link.from);
      var b = state.nodes.get(link.to);
      if (!a || !b || a.s === null || b.s === null) return;
      var ra = rowIndex(a);
      var rb = rowIndex(b);
      if (ra < 0 || rb < 0 || ra === rb) return;
      if (Math.max(ra, rb) < state.from || Math.min(ra, rb) >= state.to) return;
      var cls = "rm-link";
      if (link.cross) cls += " rm-link--cross";
      else if (b.kind === "pmilestone" || a.kind === "pmilestone") cls += " rm-link--milestone";
      if (a.critical && b.critical) cls += " rm-link--critical";
      var marker = link.cross
        ? "rm-arrow-cross"
        : cls.indexOf("--milestone") > 0
        ? "rm-arrow-milestone"
        : a.critical && b.critical
        ? "rm-arrow-critical"
        : "rm-arrow";
      out.push('<path class="' + cls + '" data-from="' + link.from + '" data-to="' + link.to + '" data-type="' + link.type + '" d="' + linkPath(link, a, b, ra, rb) + '" marker-end="url(#' + marker + ')"/>');
    });
  }

  function drawGrid(width, height, out) {
    var z = ZOOMS[state.zoom];
    if (z.px >= 20) {
      // non-working days, shaded (at day zoom; coarser scales only draw week lines)
      for (var n = state.lo; n <= state.hi; n++) {
        if (!state.cal.isWork(n)) out.push('<rect class="rm-offday" x="' + x(n) + '" y="0" width="' + state.px + '" height="' + height + '"/>');
      }
    }
    ticks(z.bottom).forEach(function (t) {
      if (t.n >= state.lo) out.push('<line class="rm-grid__minor" x1="' + x(t.n) + '" x2="' + x(t.n) + '" y1="0" y2="' + height + '"/>');
    });
    ticks(z.top).forEach(function (t) {
      out.push('<line class="rm-grid__major" x1="' + x(t.n) + '" x2="' + x(t.n) + '" y1="0" y2="' + height + '"/>');
    });
    forWindow(function (n, i) {
      if (n.kind === "project" || n.kind === "group") out.push('<rect class="rm-band" x="0" y="' + i * ROW + '" width="' + width + '" height="' + ROW + '"/>');
      if (n.id === state.selected) out.push('<rect class="rm-band rm-band--selected" x="0" y="' + i * ROW + '" width="' + width + '" height="' + ROW + '"/>');
    });
  }

  function drawGhosts(out) {
    state.moved.forEach(function (m, id) {
      var n = state.nodes.get(id);
      if (!n || (n.kind !== "task" && n.kind !== "summary")) return;
      var row = state.rowOf.get(id);
      if (row === undefined || row < state.from || row >= state.to) return;
      out.push('<rect class="rm-ghost" x="' + x(m.s0) + '" y="' + (row * ROW + 6) + '" width="' + Math.max(2, x(m.f0 + 1) - x(m.s0)) + '" height="16" rx="3"/>');
    });
  }

  function bodySvg(width) {
    var height = Math.max(state.rows.length * ROW, ROW);
    var out = ['<svg class="rm-svg" width="' + width + '" height="' + height + '" data-zoom="' + state.zoom + '" data-px-per-day="' + state.px + '">'];
    out.push(
      "<defs>" +
        '<marker id="rm-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8Z" class="rm-arrowhead"/></marker>' +
        '<marker id="rm-arrow-cross" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8Z" class="rm-arrowhead rm-arrowhead--cross"/></marker>' +
        '<marker id="rm-arrow-milestone" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8Z" class="rm-arrowhead rm-arrowhead--milestone"/></marker>' +
        '<marker id="rm-arrow-critical" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8Z" class="rm-arrowhead rm-arrowhead--critical"/></marker>' +
        "</defs>"
    );
    out.push('<g class="rm-grid">');
    drawGrid(width, height, out);
    out.push('</g><g class="rm-ghosts">');
    drawGhosts(out);
    out.push('</g><g class="rm-links">');
    drawLinks(out);
    out.push('</g><g class="rm-bars">');
    forWindow(function (n, i) {
      drawBar(n, i, out);
    });
    out.push("</g>");
    var today = dn(state.data.today);
    if (today >= state.lo && today <= state.hi) {
      var tx = x(today) + state.px / 2;
      out.push('<line class="rm-today" data-date="' + state.data.today + '" x1="' + tx + '" x2="' + tx + '" y1="0" y2="' + height + '"/>');
    }
    out.push("</svg>");
    return out.join("");
  }

  function labelRow(n) {
    var cls = "rm-label rm-label--" + n.kind + (n.critical ? " is-critical" : "") + movedClass(n) + (state.selected === n.id ? " is-selected" : "");
    var s = '<div class="' + cls + '" data-node="' + n.id + '" style="padding-left:' + (8 + n.depth * INDENT) + 'px">';
    if (n.children.length) {
      var open = !state.collapsed.has(n.id);
      var what = n.kind === "group" ? n.name : n.key + " " + n.name;
      s += '<button type="button" class="rm-toggle" data-toggle="' + n.id + '" aria-expanded="' + open + '" aria-label="' + (open ? "Collapse " : "Expand ") + esc(what) + '">' + (open ? "▾" : "▸") + "</button>";
    } else {
      s += '<span class="rm-toggle rm-toggle--none" aria-hidden="true"></span>';
    }
    var key = n.key ? '<span class="rm-key">' + esc(n.key) + "</span> " : "";
    s += '<button type="button" class="rm-name" data-select="' + n.id + '" title="' + esc((n.key ? n.key + " " : "") + n.name) + '">' + key + esc(n.name) + "</button>";
    if (n.kind === "project") s += '<span class="rm-count">' + n.count + "</span>";
    if (n.kind === "group") s += '<span class="rm-count">' + n.children.length + "</span>";
    var moved = state.moved.get(n.id);
    if (moved) {
      var d = state.cal.diff(moved.f0, n.f);
      s += '<span class="rm-tag rm-tag--moved" data-testid="moved-tag">' + (d > 0 ? "+" : d < 0 ? "−" : "±") + Math.abs(d) + " d</span>";
    }
    if (n.critical) s += '<span class="rm-tag rm-tag--critical" data-testid="critical-tag"><span class="rm-tag__word">critical</span></span>';
    if (n.kind === "pmilestone" && n.target !== null && n.f !== null && n.f > n.target) s += '<span class="rm-tag rm-tag--late">late</span>';
    if (n.kind === "pmilestone" && !n.fed) s += '<span class="rm-tag rm-tag--unfed" data-testid="unfed-tag" title="no work is linked to it yet">no forecast</span>';
    return s + "</div>";
  }

  function forWindow(visit) {
    for (var i = state.from; i < state.to; i++) visit(state.rows[i], i);
  }

  // Only the rows in view, and MARGIN_ROWS around them, are in the document:
  // the chart keeps its full height, so scrolling is native, and a scroll that
  // nears the edge of what is drawn draws the window again around the view.
  function windowAround(top) {
    var first = Math.floor(top / ROW);
    var seen = Math.ceil(viewport.clientHeight / ROW) + 1;
    state.from = Math.max(0, first - MARGIN_ROWS);
    state.to = Math.min(state.rows.length, first + seen + MARGIN_ROWS);
  }

  function labelsHtml() {
    var out = ['<div class="rm-spacer" style="height:' + state.from * ROW + 'px"></div>'];
    forWindow(function (n) {
      out.push(labelRow(n));
    });
    out.push('<div class="rm-spacer" style="height:' + (state.rows.length - state.to) * ROW + 'px"></div>');
    return out.join("");
  }

  function render() {
    var keepTop = viewport.scrollTop;
    var keepLeft = viewport.scrollLeft;
    visibleRows();
    windowAround(keepTop);
    var width = Math.ceil(x(state.hi + 1)) + 1;
    state.width = width;
    viewport.innerHTML =
      '<div class="rm-grid-layout" style="grid-template-columns:' + LABEL + "px " + width + "px;grid-template-rows:" + HEAD + 'px auto">' +
      '<div class="rm-corner"><span>Project / task</span></div>' +
      '<div class="rm-head">' + headerSvg(width) + "</div>" +
      '<div class="rm-labels" data-testid="roadmap-rows">' + labelsHtml() + "</div>" +
      '<div class="rm-chart">' + bodySvg(width) + "</div>" +
      "</div>";
    viewport.scrollTop = keepTop;
    viewport.scrollLeft = keepLeft;
    root.querySelectorAll("[data-zoom]").forEach(function (b) {
      if (b.tagName === "BUTTON") b.setAttribute("aria-pressed", String(b.dataset.zoom === state.zoom));
    });
    clearButton.hidden = state.moved.size === 0;
    root.dataset.rows = String(state.rows.length);
  }

  function redrawWindow() {
    windowAround(viewport.scrollTop);
    viewport.querySelector(".rm-labels").innerHTML = labelsHtml();
    viewport.querySelector(".rm-chart").innerHTML = bodySvg(state.width);
  }

  var scrollPending = false;
  viewport.addEventListener("scroll", function () {
    if (scrollPending || !state.data) return;
    scrollPending = true;
    window.requestAnimationFrame(function () {
      scrollPending = false;
      if (drag) return;
      var first = Math.floor(viewport.scrollTop / ROW);
      var last = first + Math.ceil(viewport.clientHeight / ROW);
      var nearTop = state.from > 0 && first < state.from + MARGIN_ROWS / 3;
      var nearEnd = state.to < state.rows.length && last > state.to - MARGIN_ROWS / 3;
      if (nearTop || nearEnd) redrawWindow();
    });
  });

  // --- selection and the side panel ------------------------------------------------

  function fact(label, value) {
    return "<dt>" + esc(label) + "</dt><dd>" + value + "</dd>";
  }

  function showDetails(n) {
    if (!n) {
      details.hidden = true;
      details.innerHTML = "";
      return;
    }
    var html = ['<div class="rm-details__head"><h2><span class="rm-key">' + esc(n.key) + "</span> " + esc(n.name) + "</h2>"];
    html.push('<button type="button" class="button button--quiet" data-action="close-details" aria-label="Close the task panel">✕</button></div>');
    html.push('<dl class="rm-facts">');
    if (n.kind === "project") {
      html.push(fact("Tasks", String(n.count)));
    }
    if (n.project) html.push(fact("Project", esc(n.project.key + " " + n.project.name)));
    if (n.s !== null && n.kind !== "pmilestone") {
      html.push(fact("Start", human(n.s)));
      html.push(fact("Finish", human(n.f)));
    }
    if (n.kind === "pmilestone") {
      html.push(fact("Forecast", !n.fed ? "none yet: no work is linked to it" : n.s !== null ? human(n.s) : "—"));
      html.push(fact("Target", n.target !== null ? human(n.target) : "not set"));
    }
    if (n.raw && n.kind !== "project" && n.kind !== "pmilestone") {
      html.push(fact("Duration", plural(n.raw.duration, "working day")));
      if (n.raw.percent) html.push(fact("Complete", n.raw.percent + " %"));
      if (n.raw.constraint_type && n.raw.constraint_type !== "asap") {
        html.push(fact("Constraint", esc(n.raw.constraint_type.toUpperCase()) + " " + (n.raw.constraint_date ? human(dn(n.raw.constraint_date)) : "")));
      }
    }
    if (n.raw && n.raw.total_float !== undefined && n.raw.total_float !== null) html.push(fact("Total float", plural(n.raw.total_float, "working day")));
    if (n.critical !== undefined) html.push(fact("Critical path", n.critical ? '<strong class="rm-critical-text">yes</strong>' : "no"));
    var moved = state.moved.get(n.id);
    if (moved) html.push(fact("Moved", "from " + human(moved.s0) + " → " + human(moved.f0)));
    html.push("</dl>");
    var links = linksOf(n.id);
    if (links.length) {
      html.push('<h3 class="rm-details__sub">Dependencies</h3><ul class="rm-deps">');
      links.forEach(function (l) {
        html.push("<li>" + l + "</li>");
      });
      html.push("</ul>");
    }
    if (state.canEdit && (n.kind === "task" || n.kind === "milestone")) {
      html.push(
        '<form class="rm-edit" data-node="' + n.id + '">' +
          '<h3 class="rm-details__sub">Change the dates</h3>' +
          '<label class="field"><span class="field__label">Start no earlier than</span><input type="date" name="start" min="' + root.dataset.firstDate + '" max="' + root.dataset.lastDate + '" value="' + isoOf(n.s) + '" required></label>' +
          (n.kind === "task"
            ? '<label class="field"><span class="field__label">Duration (working days)</span><input type="number" name="duration" min="1" max="100000" step="1" value="' + n.raw.duration + '" required></label>'
            : "") +
          '<button type="submit" class="button button--primary">Save and reschedule</button>' +
          "</form>"
      );
    } else if (!state.canEdit && n.kind === "task") {
      html.push('<p class="muted small">Only the program\'s managers can change dates.</p>');
    }
    details.innerHTML = html.join("");
    details.hidden = false;
  }

  function linksOf(id) {
    var out = [];
    state.data.links.forEach(function (l) {
      var other = l.from === id ? l.to : l.to === id ? l.from : null;
      if (!other) return;
      var o = state.nodes.get(other);
      if (!o) return;
      var dir = l.from === id ? "blocks" : "waits for";
      var cross = l.cross ? ' <span class="rm-tag rm-tag--cross">cross-project</span>' : "";
      out.push(dir + ' <span class="rm-key">' + esc(o.key) + "</span> " + esc(o.name) + " (" + l.type + (l.lag ? (l.lag > 0 ? " +" : " ") + l.lag + " d" : "") + ")" + cross);
    });
    return out;
  }

  function select(id) {
    state.selected = id;
    render();
    showDetails(id ? state.nodes.get(id) : null);
  }

  // --- loading, saving, and what moved -------------------------------------------

  function say(text, isError) {
    statusBox.textContent = text;
    statusBox.classList.toggle("rm-status--error", Boolean(isError));
  }

  function fetchData() {
    return fetch(root.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("the roadmap could not be loaded (HTTP " + r.status + ")");
      return r.json();
    });
  }

  function adopt(data) {
    // tasks come as rows of values under data.task_fields
    var fields = data.task_fields;
    data.tasks = data.tasks.map(function (row) {
      var t = {};
      for (var i = 0; i < fields.length; i++) t[fields[i]] = row[i];
      return t;
    });
    state.data = data;
    state.cal = new WorkCalendar(
      data.calendar.weekmask,
      data.calendar.holidays,
      data.calendar.extra_workdays
    );
    state.canEdit = Boolean(data.can_edit);
    build(data);
    computeRange();
  }

  function summary() {
    var d = state.data;
    var tasks = d.tasks.length;
    var crit = d.tasks.filter(function (t) {
      return t.critical;
    }).length;
    var finish = d.program.scheduled_finish ? "finishes " + human(dn(d.program.scheduled_finish)) : "not scheduled yet";
    return plural(d.projects.length, "project") + ", " + plural(tasks, "task") + ", " + plural(d.milestones.length, "program milestone") + "; " + crit + " critical; the program " + finish + ".";
  }

  function load() {
    return fetchData().then(function (data) {
      var first = state.data === null;
      adopt(data);
      if (first) {
        initialCollapse(data);
        state.zoom = defaultZoom();
      }
      alignRange();
    });
  }

  function snapshot() {
    var m = new Map();
    state.nodes.forEach(function (n, id) {
      if (n.kind !== "project" && n.kind !== "group") m.set(id, [n.s, n.f]);
    });
    return m;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function errorText(body, status) {
    if (body && body.error && body.error.message) return body.error.message;
    return "HTTP " + status;
  }

  function save(node, changes, what) {
    if (state.busy) return Promise.resolve();
    state.busy = true;
    root.classList.add("is-busy");
    var before = snapshot();
    var finishBefore = state.data.program.scheduled_finish;
    say("Saving " + node.key + " (" + what + ") and rescheduling…");
    return fetch("/api/v1/tasks/" + node.raw.id, {
      method: "PATCH",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrfToken(),
        "If-Match": '"' + node.raw.version + '"',
      },
      body: JSON.stringify(changes),
    })
      .then(function (r) {
        if (r.ok) return load().then(function () {
          return true;
        });
        return r
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            say("Not saved: " + errorText(body, r.status), true);
            return load().then(function () {
              return false;
            });
          });
      })
      .then(function (ok) {
        if (ok) reportMoves(node, before, finishBefore);
        render();
        if (state.selected) showDetails(state.nodes.get(state.selected));
      })
      .catch(function (err) {
        say("Not saved: " + err.message, true);
        render();
      })
      .then(function () {
        state.busy = false;
        root.classList.remove("is-busy");
      });
  }

  function reportMoves(node, before, finishBefore) {
    state.moved = new Map();
    var byProject = new Map();
    var milestones = [];
    state.nodes.forEach(function (n, id) {
      var old = before.get(id);
      if (!old || (old[0] === n.s && old[1] === n.f)) return;
      state.moved.set(id, { s0: old[0], f0: old[1] });
      if (n.kind === "pmilestone") milestones.push(n.key);
      else if (n.project && n.kind !== "summary") byProject.set(n.project.key, (byProject.get(n.project.key) || 0) + 1);
    });
    var count = 0;
    var parts = [];
    byProject.forEach(function (c, key) {
      count += c;
      parts.push(key + " " + c);
    });
    var finishAfter = state.data.program.scheduled_finish;
    var text;
    if (!state.moved.size) {
      text = "Saved " + node.key + ". Nothing else moved.";
    } else {
      text = "Saved " + node.key + ". " + plural(count, "task") + " moved" + (parts.length ? " (" + parts.join(", ") + ")" : "");
      if (milestones.length) text += "; program milestones moved: " + milestones.join(", ");
      text += ".";
    }
    if (finishBefore !== finishAfter && finishAfter) {
      text += " Program finish " + human(dn(finishBefore)) + " → " + human(dn(finishAfter)) + ".";
    }
    say(text);
  }

  // --- dragging (managers) -------------------------------------------------------------

  var drag = null;

  function onPointerDown(e) {
    if (!state.canEdit || state.busy || e.button !== 0) return;
    var g = e.target.closest(".is-draggable");
    if (!g) return;
    var node = state.nodes.get(g.dataset.node);
    if (!node || node.s === null) return;
    drag = {
      g: g,
      node: node,
      mode: e.target.classList.contains("rm-handle") && node.kind === "task" ? "resize" : "move",
      x0: e.clientX,
      days: 0,
      moved: false,
      transform: g.getAttribute("transform"),
    };
    g.setPointerCapture(e.pointerId);
    g.classList.add("is-dragging");
    e.preventDefault();
  }

  function onPointerMove(e) {
    if (!drag) return;
    var dx = e.clientX - drag.x0;
    if (Math.abs(dx) > 3) drag.moved = true;
    var days = Math.round(dx / state.px);
    if (days === drag.days) return;
    drag.days = days;
    var n = drag.node;
    var parts = drag.transform.match(/translate\(([-\d.]+),([-\d.]+)\)/);
    if (drag.mode === "move") {
      var nx = n.kind === "milestone" ? x(n.f + 1 + days) : x(n.s + days);
      drag.g.setAttribute("transform", "translate(" + nx + "," + parts[2] + ")");
      say(n.key + ": start no earlier than " + human(state.cal.onOrAfter(n.s + days)) + " — release to save");
    } else {
      var finish = Math.max(n.s, n.f + days);
      var w = Math.max(x(finish + 1) - x(n.s), 2);
      drag.g.querySelector(".rm-bar__body").setAttribute("width", w);
      drag.g.querySelector(".rm-handle").setAttribute("x", w - 4);
      drag.g.querySelector(".rm-bar__label").setAttribute("x", w + 6);
      say(n.key + ": " + plural(Math.max(1, state.cal.count(n.s, finish)), "working day") + ", finishing " + human(finish) + " — release to save");
    }
  }

  function onPointerUp(e) {
    if (!drag) return;
    var d = drag;
    drag = null;
    d.g.classList.remove("is-dragging");
    try {
      d.g.releasePointerCapture(e.pointerId);
    } catch (err) {
      /* already released */
    }
    var n = d.node;
    if (!d.moved) {
      select(n.id);
      return;
    }
    if (d.days === 0) {
      render();
      say(summary());
      return;
    }
    if (d.mode === "move") {
      var start = state.cal.onOrAfter((n.kind === "milestone" ? n.f : n.s) + d.days);
      save(n, { constraint_type: "snet", constraint_date: isoOf(start) }, "start no earlier than " + human(start));
    } else {
      var finish = Math.max(n.s, n.f + d.days);
      var duration = Math.max(1, state.cal.count(n.s, finish));
      if (duration === n.raw.duration) {
        render();
        return;
      }
      save(n, { duration: duration }, plural(duration, "working day"));
    }
  }

  // --- wiring ----------------------------------------------------------------------------

  function setZoom(z) {
    if (!ZOOMS[z] || z === state.zoom) return;
    var centre = state.lo + (viewport.scrollLeft + (viewport.clientWidth - LABEL) / 2) / state.px;
    state.zoom = z;
    try {
      window.localStorage.setItem(zoomKey, z);
    } catch (e) {
      /* private mode: the choice is not remembered */
    }
    alignRange();
    render();
    viewport.scrollLeft = Math.max(0, x(centre) - (viewport.clientWidth - LABEL) / 2);
  }

  function scrollToToday(quiet) {
    var today = dn(state.data.today);
    if (today < state.lo || today > state.hi) {
      if (!quiet) say("Today (" + human(today) + ") is outside the plan's dates.");
      return;
    }
    viewport.scrollLeft = Math.max(0, x(today) - (viewport.clientWidth - LABEL) / 3);
  }

  // Open on today when the program's work is under way; before it starts, on its start;
  // after it has finished, on its finish (not on an empty stretch of weeks around today).
  function openOnWork() {
    var today = dn(state.data.today);
    var shown = viewport.clientWidth - LABEL;
    if (today < state.workLo) {
      viewport.scrollLeft = Math.max(0, x(state.workLo) - Math.min(shown / 6, 7 * state.px));
    } else if (today > state.workHi) {
      viewport.scrollLeft = Math.max(0, x(state.workHi + 1) - shown * 5 / 6);
    } else {
      scrollToToday(true);
    }
  }

  root.addEventListener("click", function (e) {
    var t = e.target.closest("button");
    if (!t) return;
    if (t.dataset.zoom) setZoom(t.dataset.zoom);
    else if (t.dataset.toggle) {
      var id = t.dataset.toggle;
      if (state.collapsed.has(id)) state.collapsed.delete(id);
      else state.collapsed.add(id);
      render();
      var again = viewport.querySelector('[data-toggle="' + id + '"]');
      if (again) again.focus();
    } else if (t.dataset.select) {
      select(t.dataset.select);
    } else if (t.dataset.action === "expand-all") {
      state.collapsed.clear();
      render();
    } else if (t.dataset.action === "collapse-all") {
      state.tops.forEach(function (n) {
        state.collapsed.add(n.id);
      });
      render();
    } else if (t.dataset.action === "today") {
      scrollToToday();
    } else if (t.dataset.action === "clear-moved") {
      state.moved.clear();
      render();
      say(summary());
    } else if (t.dataset.action === "close-details") {
      select(null);
    }
  });

  details.addEventListener("submit", function (e) {
    var form = e.target.closest(".rm-edit");
    if (!form) return;
    e.preventDefault();
    var n = state.nodes.get(form.dataset.node);
    var changes = {};
    var what = [];
    var start = dn(form.elements.start.value);
    if (start !== null && start !== n.s) {
      changes.constraint_type = "snet";
      changes.constraint_date = isoOf(start);
      what.push("start no earlier than " + human(start));
    }
    if (form.elements.duration) {
      var duration = parseInt(form.elements.duration.value, 10);
      if (duration >= 1 && duration !== n.raw.duration) {
        changes.duration = duration;
        what.push(plural(duration, "working day"));
      }
    }
    if (!what.length) {
      say("Nothing to save: the dates are unchanged.");
      return;
    }
    save(n, changes, what.join(", "));
  });

  viewport.addEventListener("pointerdown", onPointerDown);
  viewport.addEventListener("pointermove", onPointerMove);
  viewport.addEventListener("pointerup", onPointerUp);
  viewport.addEventListener("pointercancel", function () {
    drag = null;
    render();
  });
  viewport.addEventListener("click", function (e) {
    // viewers (and managers on summary bars) select by clicking a bar
    if (state.canEdit && e.target.closest(".is-draggable")) return;
    var g = e.target.closest(".rm-bar");
    if (g) select(g.dataset.node);
  });

  load()
    .then(function () {
      root.dataset.loadedAt = String(Math.round(performance.now()));
      render();
      root.dataset.renderedAt = String(Math.round(performance.now()));
      openOnWork();
      say(summary());
      // drawn once layout is done: what the benchmark and the tests wait for
      viewport.getBoundingClientRect();
      window.requestAnimationFrame(function () {
        root.dataset.drawnAt = String(Math.round(performance.now()));
        root.dataset.state = "ready";
        window.podiumRoadmap = {
          rows: function () {
            return state.rows;
          },
        };
      });
    })
    .catch(function (err) {
      say(err.message, true);
      root.dataset.state = "error";
    });
})();
