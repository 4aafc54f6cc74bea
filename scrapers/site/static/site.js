// xxgk data site: the provenance panel of report pages, clickable heat maps, office search.
(function () {
  "use strict";

  function showProvenance(button) {
    var panel = document.getElementById("provenance");
    if (!panel) return;
    var info = JSON.parse(button.getAttribute("data-cell"));
    document.querySelectorAll("button.cell.selected").forEach(function (b) { b.classList.remove("selected"); });
    button.classList.add("selected");
    panel.querySelector(".hint").hidden = true;
    panel.querySelector("dl").hidden = false;
    function put(field, node) {
      var dd = panel.querySelector('[data-field="' + field + '"]');
      dd.textContent = "";
      if (typeof node === "string") dd.textContent = node; else if (node) dd.appendChild(node);
    }
    put("value", info.value + (info.derived ? " (由子行求和 sum of sub-rows)" : ""));
    put("raw", info.raw === null || info.raw === undefined ? "—" : (info.raw === "" ? "(空白 blank)" : info.raw));
    put("loc", info.loc || "—");
    if (info.source_link) {
      var link = document.createElement("a");
      link.href = info.source_link; link.textContent = info.source_url;
      put("source_url", link);
    } else {
      put("source_url", info.source_url);
    }
    put("fetched_at", info.fetched_at || "—");
    put("sha256", info.sha256);
    var marks = { ocr: "OCR 识别 read by OCR", placed: "按模板顺序放置 placed by the template's order" };
    put("marks", info.marks.map(function (m) { return marks[m] || m; }).join("; ") || "—");
    var list = document.createElement("ul");
    info.identities.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "identity";
      li.textContent = f.identity + ": " + f.left_side + " = " + f.left_value + " ≠ " + f.right_side + " = " +
        f.right_value + " (差 " + f.difference + ")";
      list.appendChild(li);
    });
    put("identities", info.identities.length ? list : "相符 all hold");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.cell");
    if (button) showProvenance(button);
  });

  // heat-map cells carry their report page in customdata
  window.addEventListener("load", function () {
    document.querySelectorAll(".js-plotly-plot").forEach(function (plot) {
      if (!plot.on) return;
      plot.on("plotly_click", function (data) {
        var url = data.points && data.points[0] && data.points[0].customdata;
        if (url) window.location.href = url;
      });
    });
  });

  function normalise(text) { return (text || "").toLowerCase().replace(/\s+/g, ""); }

  window.xxgkSearch = function (input, results) {
    var index = (window.XXGK_SEARCH || []).map(function (o) {
      return { office: o, key: normalise([o.name].concat(o.aliases).join("|")) };
    });
    function run() {
      var q = normalise(input.value);
      results.textContent = "";
      if (!q) return;
      index.filter(function (e) { return e.key.indexOf(q) >= 0; })
        .sort(function (a, b) { return b.office.reports - a.office.reports; })
        .slice(0, 50)
        .forEach(function (e) {
          var li = document.createElement("li"), a = document.createElement("a"), small = document.createElement("small");
          a.href = e.office.url; a.textContent = e.office.name;
          small.textContent = " " + e.office.district + " · " + e.office.type + " · " + e.office.reports + " 份报告 reports" +
            (e.office.aliases.length ? " · " + e.office.aliases.join("、") : "");
          li.appendChild(a); li.appendChild(small); results.appendChild(li);
        });
      if (!results.children.length) results.textContent = "无结果 No office matches.";
    }
    input.addEventListener("input", run);
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { input.value = q; }
    run();
  };
})();
