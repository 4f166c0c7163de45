/* Charts of the leader dashboard (ECharts, served by the app): the share of each campaign's
   targets on track, and the key indicators' verified totals against their targets to date.
   Data: the "dashboard-data" JSON; figures are rounded once on the server (scoring/display.py)
   and the charts print the server's text, never reformatting a number here. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var esc = window.jz.escapeHtml;  // tooltips are HTML: every value they place goes through it
  var FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif";
  var charts = [];

  function make(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ textStyle: { fontFamily: FONT }, animationDuration: 600 }, option));
    charts.push(chart);
  }

  function colour(share) {
    if (share >= 90) { return "#2e7d32"; }
    if (share >= 60) { return "#e0a800"; }
    return "#c62828";
  }

  var campaigns = data.campaigns;
  make("chart-campaign-share", {
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        return esc(p.name) + "<br>达标 " + esc(campaigns.counts[p.dataIndex]) + " 项，达标率 " + esc(campaigns.labels[p.dataIndex]) + "%";
      }
    },
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" },
             splitLine: { lineStyle: { type: "dashed" } } },
    yAxis: { type: "category", data: campaigns.names, inverse: true, axisTick: { show: false } },
    series: [{
      type: "bar", barMaxWidth: 20,
      data: campaigns.shares.map(function (share) { return { value: share, itemStyle: { color: colour(share) } }; }),
      label: { show: true, position: "right", formatter: function (p) { return esc(campaigns.labels[p.dataIndex]) + "%"; } }
    }]
  });

  var keys = data.keys;
  make("chart-key-indicators", {
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        var note = keys.lower[p.dataIndex] ? "（越低越好，不超过目标为好）" : "";
        return esc(p.name) + esc(note) + "<br>已核实 / 序时目标：" + esc(keys.figures[p.dataIndex]) + "<br>完成 " + esc(keys.labels[p.dataIndex]) + "%";
      }
    },
    xAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%", hideOverlap: true },
             splitLine: { lineStyle: { type: "dashed" } } },
    yAxis: { type: "category", data: keys.names, inverse: true, axisTick: { show: false },
             axisLabel: { width: 130, overflow: "truncate" } },
    series: [{
      type: "bar", barMaxWidth: 18,
      data: keys.completion.map(function (value, i) {
        var good = keys.lower[i] ? value <= 100 : value >= 100;
        return { value: value, itemStyle: { color: good ? "#2e7d32" : "#c62828" } };
      }),
      markLine: { silent: true, symbol: "none", data: [{ xAxis: 100 }],
                  lineStyle: { color: "#6c757d", type: "dashed" }, label: { show: false } },
      label: { show: true, position: "right", formatter: function (p) {
        if (keys.labels[p.dataIndex] === "") { return ""; }
        return esc(keys.labels[p.dataIndex]) + "%";
      } }
    }]
  });

  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
}());
