// The dependency map: cytoscape draws the program's tasks and milestones, each
// project a band (a compound node), time running left to right. Positions are
// computed here (a "preset" layout): x from the node's early start, rows packed
// inside each band so nodes never overlap. Choosing a node (click, or the
// select above the graph) highlights what it blocks and what blocks it, and
// htmx loads the side panel listing them by project.
(function () {
  "use strict";

  var root = document.getElementById("depmap");
  if (!root) return;
  var container = root.querySelector(".dm-graph");
  var statusBox = root.querySelector(".dm-status");
  var select = root.querySelector("#dm-node");
  var within = root.querySelector("#dm-within");

  var DAY_MS = 864e5;
  var NODE_W = 132;
  var NODE_H = 36;
  var ROW_GAP = 12;
  var LANE_GAP = 64;
  var PALETTE = ["#3b4fd8", "#0f766e", "#b45309", "#7c3aed", "#be185d", "#0369a1", "#4d7c0f", "#9f1239"];
  var TINTS = ["#eef0fd", "#e6f4f2", "#fdf3e6", "#f3edfe", "#fcebf3", "#e6f2fa", "#eef5e6", "#fbe9ec"];

  var cy = null;
  var data = null;

  function say(text, isError) {
    statusBox.textContent = text;
    statusBox.classList.toggle("dm-status--error", Boolean(isError));
  }

  function dn(iso) {
    if (!iso) return null;
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
  }

  function shorten(text, n) {
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  // Which nodes to show: by default the tasks at the ends of cross-project or
  // milestone dependencies and every program milestone; with "within projects"
  // every task that has a dependency at all.
  function shown() {
    var all = within.checked;
    var edges = data.edges.filter(function (e) {
      return all || e.kind !== "within";
    });
    var ids = new Set();
    edges.forEach(function (e) {
      ids.add(e.from);
      ids.add(e.to);
    });
    data.nodes.forEach(function (n) {
      if (n.type === "program-milestone") ids.add(n.id);
    });
    return { edges: edges, ids: ids };
  }

  // Projects are columns (program milestones last), time runs downwards: a
  // node sits at its early start, pushed down only as far as needed to clear
  // the node above it in its column.
  function layout(nodes) {
    var lo = Infinity;
    var hi = -Infinity;
    nodes.forEach(function (n) {
      var s = dn(n.start);
      if (s !== null) {
        lo = Math.min(lo, s);
        hi = Math.max(hi, s);
      }
    });
    if (!isFinite(lo)) lo = hi = 0;
    var pxPerDay = Math.min(6, Math.max(1.5, (container.clientHeight / 0.9 - 2 * NODE_H) / Math.max(hi - lo, 1)));
    var lanes = data.projects.concat([{ key: null }]);
    var positions = {};
    var column = 0;
    lanes.forEach(function (lane) {
      var members = nodes
        .filter(function (n) {
          return n.project === lane.key;
        })
        .sort(function (a, b) {
          return (dn(a.start) || lo) - (dn(b.start) || lo) || a.key.localeCompare(b.key);
        });
      if (!members.length) return;
      var bottom = -Infinity;
      var step = lane.key === null ? NODE_H + 30 : NODE_H + ROW_GAP; // diamonds carry their label below
      members.forEach(function (n) {
        var y = Math.max(((dn(n.start) || lo) - lo) * pxPerDay, bottom + step);
        positions[n.id] = { x: column * (NODE_W + LANE_GAP), y: y };
        bottom = y;
      });
      column++;
    });
    return positions;
  }

  function elements() {
    var pick = shown();
    var nodes = data.nodes.filter(function (n) {
      return pick.ids.has(n.id);
    });
    var positions = layout(nodes);
    var colour = {};
    data.projects.forEach(function (p, i) {
      colour[p.key] = i;
    });
    var els = [];
    var lanes = new Set(
      nodes.map(function (n) {
        return n.project;
      })
    );
    data.projects.forEach(function (p) {
      if (!lanes.has(p.key)) return;
      var i = colour[p.key] % PALETTE.length;
      els.push({
        group: "nodes",
        data: { id: "project-" + p.key, label: p.key + " · " + p.name, colour: PALETTE[i], tint: TINTS[i] },
        classes: "project",
      });
    });
    if (lanes.has(null)) {
      els.push({ group: "nodes", data: { id: "project-program", label: "Program milestones", colour: "#0f766e", tint: "#f1f7f6" }, classes: "project" });
    }
    nodes.forEach(function (n) {
      var i = n.project ? colour[n.project] % PALETTE.length : 0;
      var classes = [n.type === "program-milestone" ? "pmilestone" : n.type];
      if (n.critical) classes.push("critical");
      els.push({
        group: "nodes",
        data: {
          id: n.id,
          parent: n.project ? "project-" + n.project : "project-program",
          label: (n.critical ? "▲ " : "") + n.key + "\n" + shorten(n.name, 17),
          colour: n.project ? PALETTE[i] : "#0f766e",
        },
        position: positions[n.id],
        classes: classes.join(" "),
      });
    });
    pick.edges.forEach(function (e) {
      els.push({ group: "edges", data: { id: e.id, source: e.from, target: e.to, label: e.type + (e.lag ? (e.lag > 0 ? "+" : "") + e.lag : "") }, classes: e.kind });
    });
    return els;
  }

  var STYLE = [
    {
      selector: "node",
      style: {
        shape: "round-rectangle",
        width: NODE_W,
        height: NODE_H,
        "background-color": "#ffffff",
        "border-width": 2,
        "border-color": "data(colour)",
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": NODE_W - 10,
        "text-valign": "center",
        "text-halign": "center",
        "font-size": 11,
        "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        color: "#1c2430",
      },
    },
    {
      selector: "node.project",
      style: {
        shape: "round-rectangle",
        "background-color": "data(tint)",
        "background-opacity": 0.75,
        "border-width": 1,
        "border-color": "data(colour)",
        "border-opacity": 0.5,
        label: "data(label)",
        "text-valign": "top",
        "text-halign": "center",
        "text-margin-y": -4,
        "font-size": 12,
        "font-weight": 700,
        "text-max-width": 600,
        "text-wrap": "none",
        color: "data(colour)",
        padding: 18,
      },
    },
    { selector: "node.summary", style: { "border-style": "dashed" } },
    {
      selector: "node.milestone, node.pmilestone",
      style: {
        shape: "diamond",
        width: 30,
        height: 30,
        "background-color": "data(colour)",
        "border-color": "#ffffff",
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
      },
    },
    { selector: "node.critical", style: { "border-color": "#b42318", "border-width": 4, "border-style": "double", color: "#8f1d10", "font-weight": 700 } },
    { selector: "node.pmilestone.critical, node.milestone.critical", style: { "background-color": "#b42318", "border-style": "solid", "border-width": 2, "border-color": "#ffffff" } },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "curve-style": "bezier",
        "line-color": "#9aa3b0",
        "target-arrow-color": "#9aa3b0",
        "target-arrow-shape": "triangle",
        "arrow-scale": 1.1,
      },
    },
    { selector: "edge.cross", style: { width: 3, "line-color": "#7c3aed", "target-arrow-color": "#7c3aed", "line-style": "dashed", "line-dash-pattern": [8, 4] } },
    { selector: "edge.milestone", style: { width: 2, "line-color": "#0f766e", "target-arrow-color": "#0f766e", "line-style": "dotted" } },
    { selector: ".faded", style: { opacity: 0.18 } },
    { selector: "node.project.faded", style: { opacity: 0.5 } },
    { selector: "node.chosen", style: { "border-color": "#111827", "border-width": 4, "border-style": "solid", "overlay-color": "#3b4fd8", "overlay-opacity": 0.12, "overlay-padding": 6 } },
    { selector: "node.upstream", style: { "border-color": "#2563eb", "border-width": 3, "background-color": "#eff4ff" } },
    { selector: "node.downstream", style: { "border-color": "#d97706", "border-width": 3, "background-color": "#fff7e6" } },
    { selector: "edge.upstream", style: { "line-color": "#2563eb", "target-arrow-color": "#2563eb", width: 3 } },
    { selector: "edge.downstream", style: { "line-color": "#d97706", "target-arrow-color": "#d97706", width: 3 } },
  ];

  // Everything reachable from ``id`` through every dependency (hidden ones too,
  // so a chain through a project's own tasks still lights up its far end).
  function reach(id, forward) {
    var next = new Map();
    data.edges.forEach(function (e) {
      var a = forward ? e.from : e.to;
      var b = forward ? e.to : e.from;
      if (!next.has(a)) next.set(a, []);
      next.get(a).push(b);
    });
    var seen = new Set();
    var queue = [id];
    while (queue.length) {
      (next.get(queue.shift()) || []).forEach(function (n) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      });
    }
    return seen;
  }

  function highlight(id) {
    if (!cy) return;
    cy.elements().removeClass("faded chosen upstream downstream");
    if (!id) return;
    var node = cy.getElementById(id);
    if (!node || node.empty()) return;
    var down = reach(id, true);
    var up = reach(id, false);
    cy.elements().not(".project").addClass("faded");
    node.removeClass("faded").addClass("chosen");
    cy.nodes().not(".project").forEach(function (n) {
      if (down.has(n.id())) n.removeClass("faded").addClass("downstream");
      else if (up.has(n.id())) n.removeClass("faded").addClass("upstream");
    });
    cy.edges().forEach(function (e) {
      var s = e.source().id();
      var t = e.target().id();
      if ((s === id || down.has(s)) && down.has(t)) e.removeClass("faded").addClass("downstream");
      else if ((t === id || up.has(t)) && up.has(s)) e.removeClass("faded").addClass("upstream");
    });
  }

  function choose(id) {
    // The select is the one path to the side panel: htmx loads it on "change".
    if (select.value !== id) select.value = id;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function draw() {
    var pick = shown();
    var crossCount = pick.edges.filter(function (e) {
      return e.kind === "cross";
    }).length;
    cy = window.cytoscape({
      container: container,
      elements: elements(),
      style: STYLE,
      layout: { name: "preset", fit: true, padding: 24 },
      minZoom: 0.15,
      maxZoom: 2.5,
      autoungrabify: true,
      boxSelectionEnabled: false,
    });
    cy.on("tap", "node", function (evt) {
      var n = evt.target;
      if (n.hasClass("project")) return;
      choose(n.id());
    });
    cy.on("tap", function (evt) {
      if (evt.target === cy) {
        highlight(null);
      }
    });
    highlight(select.value || null);
    root.dataset.nodes = String(cy.nodes().not(".project").length);
    root.dataset.crossEdges = String(crossCount);
    say(
      cy.nodes().not(".project").length +
        " tasks and milestones, " +
        crossCount +
        " cross-project dependencies" +
        (within.checked ? ", " + (pick.edges.length - crossCount) + " other dependencies." : " (dependencies within projects hidden).")
    );
    window.podiumDepmap = { cy: cy };
    root.dataset.state = "ready";
  }

  select.addEventListener("change", function () {
    highlight(select.value || null);
  });
  within.addEventListener("change", function () {
    if (cy) cy.destroy();
    draw();
  });
  root.addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.focus) {
      choose(b.dataset.focus);
      var n = cy && cy.getElementById(b.dataset.focus);
      if (n && n.nonempty()) cy.animate({ center: { eles: n }, duration: 250 });
    } else if (b.dataset.action === "fit" && cy) {
      cy.fit(undefined, 24);
    }
  });

  if (!window.cytoscape) {
    say("The graph library (cytoscape) is not installed; the table below lists the cross-project dependencies.", true);
    return;
  }
  fetch(root.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) {
      if (!r.ok) throw new Error("the dependency map could not be loaded (HTTP " + r.status + ")");
      return r.json();
    })
    .then(function (json) {
      data = json;
      draw();
    })
    .catch(function (err) {
      say(err.message, true);
      root.dataset.state = "error";
    });
})();
