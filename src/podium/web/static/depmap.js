// The dependency map: cytoscape draws the program's tasks and milestones, each
// project a band (a compound node), time running left to right. Positions are
// computed here (a "preset" layout): x from the node's early start, rows packed
// inside each band so nodes never overlap. Choosing a node (click, or the
// select above the graph) highlights what it blocks and what blocks it, and
// htmx loads the side panel listing them by project. Labels are cut to fit their
// boxes (measured, with an ellipsis); the full text is the node's tooltip and is
// in the side panel.
(function () {
  "use strict";

  var root = document.getElementById("depmap");
  if (!root) return;
  var container = root.querySelector(".dm-graph");
  var statusBox = root.querySelector(".dm-status");
  var select = root.querySelector("#dm-node");
  var within = root.querySelector("#dm-within");
  var hint = root.querySelector(".dm-hint");
  var panel = root.querySelector("#dm-panel");

  var DAY_MS = 864e5;
  var NODE_W = 132;
  var NODE_H = 36;
  var ROW_GAP = 12;
  var LANE_GAP = 64;
  var LANE_PAD = 18; // a project box's padding around its nodes
  var FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
  // below this zoom the labels cannot be read: a narrow screen starts here at the
  // top left of the map, to drag or pinch around, instead of fitting it all
  var READABLE_ZOOM = 0.6;
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

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  // ``text`` cut with an ellipsis to at most ``px`` pixels wide in ``font``.
  var ruler = document.createElement("canvas").getContext("2d");
  function fit(text, px, font) {
    ruler.font = font;
    if (ruler.measureText(text).width <= px) return text;
    var lo = 0;
    var hi = text.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (ruler.measureText(text.slice(0, mid) + "…").width <= px) lo = mid;
      else hi = mid - 1;
    }
    return text.slice(0, lo).replace(/\s+$/, "") + "…";
  }

  // A key cut in its middle: the number at its end tells tasks apart, and the
  // column already names the project ("PLATFORMOPS-1042" → "PLATF…-1042").
  function fitKey(key, px, font) {
    ruler.font = font;
    if (ruler.measureText(key).width <= px) return key;
    var dash = key.lastIndexOf("-");
    var tail = dash > 0 ? key.slice(dash) : "";
    if (!tail || ruler.measureText("…" + tail).width > px) return fit(key, px, font);
    var head = key.slice(0, dash);
    var lo = 0;
    var hi = head.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (ruler.measureText(head.slice(0, mid) + "…" + tail).width <= px) lo = mid;
      else hi = mid - 1;
    }
    return head.slice(0, lo) + "…" + tail;
  }

  function isLate(n) {
    return Boolean(n.late);
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
      var full = p.key + " · " + p.name;
      els.push({
        group: "nodes",
        data: { id: "project-" + p.key, label: fit(full, NODE_W + 2 * LANE_PAD, "700 12px " + FONT), full: full, colour: PALETTE[i], tint: TINTS[i] },
        classes: "project",
      });
    });
    if (lanes.has(null)) {
      els.push({ group: "nodes", data: { id: "project-program", label: "Program milestones", full: "Program milestones", colour: "#0f766e", tint: "#f1f7f6" }, classes: "project" });
    }
    nodes.forEach(function (n) {
      var i = n.project ? colour[n.project] % PALETTE.length : 0;
      var classes = [n.type === "program-milestone" ? "pmilestone" : n.type];
      if (n.critical) classes.push("critical");
      if (isLate(n)) classes.push("late");
      var font = (n.critical || isLate(n) ? "700 " : "") + "11px " + FONT;
      var room = NODE_W - 16;
      var mark = n.critical ? "▲ " : "";
      var note = isLate(n) ? " · late" : "";
      ruler.font = font;
      var head = mark + fitKey(n.key, room - ruler.measureText(mark + note).width, font) + note;
      els.push({
        group: "nodes",
        data: {
          id: n.id,
          parent: n.project ? "project-" + n.project : "project-program",
          label: head + "\n" + fit(n.name, room, font),
          full:
            n.key +
            " · " +
            n.name +
            (n.critical ? " (critical)" : "") +
            (isLate(n) ? " — late: forecast " + n.finish + ", target " + n.target : "") +
            (n.fed === false ? " — no forecast yet: no work is linked to it" : ""),
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
        "text-max-width": NODE_W + 2 * LANE_PAD,
        "text-wrap": "none",
        color: "data(colour)",
        padding: LANE_PAD,
        // the columns are spaced for boxes as wide as their nodes: no label widens one
        "compound-sizing-wrt-labels": "exclude",
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
    // past its target: an amber ring and "late" in the label (not the colour alone)
    { selector: "node.pmilestone.late", style: { "border-color": "#f59e0b", "border-width": 4, "border-style": "solid", color: "#9a3412", "font-weight": 700, "text-background-color": "#fff4e5", "text-background-opacity": 1 } },
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

  // Bring a chosen node into view when it is off the canvas (a map zoomed in on a phone).
  function show(id) {
    if (!cy || !id) return;
    var node = cy.getElementById(id);
    if (!node || node.empty()) return;
    var at = node.renderedPosition();
    if (at.x < 0 || at.y < 0 || at.x > container.clientWidth || at.y > container.clientHeight) {
      cy.center(node);
    }
  }

  function choose(id) {
    // The select is the one path to the side panel: htmx loads it on "change".
    if (select.value !== id) select.value = id;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // What to say over an empty canvas, with the way to more: an empty program, a
  // program without dependencies, or one whose dependencies all stay in a project.
  function explain(pick) {
    var button = hint.querySelector("button");
    var text = "";
    var offerWithin = false;
    if (!data.nodes.length) {
      text = "Nothing to draw yet: this program has no tasks or program milestones.";
    } else if (!data.edges.length) {
      text = "No dependencies in this program yet: add links in a task's Dependencies card and they appear here.";
    } else if (!pick.edges.length) {
      var others = data.edges.length;
      text = "No dependency crosses projects or leads into a program milestone. " + plural(others, "dependency stays", "dependencies stay") + " within a project.";
      offerWithin = true;
    }
    hint.querySelector(".dm-hint__text").textContent = text;
    button.hidden = !offerWithin;
    hint.hidden = !text;
    root.classList.toggle("dm--blank", !pick.ids.size);
  }

  function draw() {
    var pick = shown();
    var crossCount = pick.edges.filter(function (e) {
      return e.kind === "cross";
    }).length;
    explain(pick);
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
    // the full text of a cut label, as the pointer's tooltip
    cy.on("mouseover", "node", function (evt) {
      container.title = evt.target.data("full") || "";
    });
    cy.on("mouseout", "node", function () {
      container.removeAttribute("title");
    });
    var zoomedIn = cy.zoom() < READABLE_ZOOM && container.clientWidth < 600;
    if (zoomedIn) {
      var box = cy.elements().boundingBox();
      cy.zoom(READABLE_ZOOM);
      cy.pan({ x: 12 - box.x1 * READABLE_ZOOM, y: 12 - box.y1 * READABLE_ZOOM });
    }
    highlight(select.value || null);
    show(select.value || null);
    var nodeCount = cy.nodes().not(".project").length;
    var late = cy.nodes(".late").length;
    root.dataset.nodes = String(nodeCount);
    root.dataset.crossEdges = String(crossCount);
    say(
      plural(nodeCount, "task or milestone", "tasks and milestones") +
        ", " +
        plural(crossCount, "cross-project dependency", "cross-project dependencies") +
        (within.checked ? ", " + plural(pick.edges.length - crossCount, "other dependency", "other dependencies") + "." : " (dependencies within projects hidden).") +
        (late ? " " + plural(late, "program milestone is", "program milestones are") + " late." : "") +
        (zoomedIn ? " Drag or pinch to move around the map; Fit to screen shows all of it." : "")
    );
    window.podiumDepmap = { cy: cy };
    root.dataset.state = "ready";
  }

  select.addEventListener("change", function () {
    highlight(select.value || null);
    show(select.value || null);
  });
  within.addEventListener("change", function () {
    if (cy) cy.destroy();
    draw();
  });
  // A node opened from the panel replaces the panel, and the button with it: the
  // focus goes to the new panel's heading instead of being lost to the page.
  var focusPanel = false;
  panel.addEventListener("htmx:afterSwap", function () {
    if (!focusPanel) return;
    focusPanel = false;
    var title = panel.querySelector(".dm-reach__title");
    if (title) title.focus();
  });
  root.addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.action === "within") {
      within.checked = true;
      within.dispatchEvent(new Event("change", { bubbles: true }));
      within.focus();
    } else if (b.dataset.focus) {
      focusPanel = true;
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
