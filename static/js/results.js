/* Charts of the results page (ECharts, served by the app): totals per group coloured by tier,
   the score distribution per group, and campaign progress. Data: the "results-data" JSON, whose
   figures the server has rounded once (scoring/display.py): numbers for the geometry, and the
   same figures as text ("labels", "…_label") that the charts print as they are, never
   reformatting a number here. */
(function () {
  "use strict";
  var source = document.getElementById("results-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var esc = window.jz.escapeHtml;  // tooltips are HTML: every value they place goes through it
  var TIERS = {
    advanced: { color: "#2e7d32", label: "先进" },
    standard: { color: "#5b8def", label: "达标" },
    lagging: { color: "#c62828", label: "后进" },
    "": { color: "#9e9e9e", label: "未参评" }
  };
  var FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif";
  var charts = [];

  function make(element, option) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ textStyle: { fontFamily: FONT }, animationDuration: 600 }, option));
    charts.push(chart);
    return chart;
  }

  // One horizontal bar chart per group: the best unit on top, bars coloured by tier.
  data.groups.forEach(function (group) {
    var element = document.getElementById("chart-group-" + group.id);
    if (!element) { return; }
    element.style.height = Math.max(260, 26 * group.units.length + 70) + "px";
    var bars = group.totals.map(function (total, i) {
      var tier = TIERS[group.tiers[i]] || TIERS[""];
      return {
        value: total,
        text: group.labels[i],
        itemStyle: { color: tier.color, opacity: group.vetoed[i] ? 0.55 : 1 },
        tier: tier.label + (group.vetoed[i] ? "（一票否决）" : "")
      };
    });
    var legend = ["advanced", "standard", "lagging"].map(function (key) {
      return { name: TIERS[key].label, itemStyle: { color: TIERS[key].color } };
    });
    make(element, {
      grid: { left: 8, right: 48, top: 30, bottom: 8, containLabel: true },
      legend: { data: legend, top: 0, right: 0, selectedMode: false, itemWidth: 12, itemHeight: 10 },
      tooltip: {
        trigger: "item",
        formatter: function (p) { return esc(p.name) + "<br>总分 " + esc(p.data.text) + " · " + esc(p.data.tier); }
      },
      // Bars start at 0 so their lengths compare honestly; the labels give the exact totals.
      xAxis: { type: "value", min: 0, splitLine: { lineStyle: { type: "dashed" } } },
      yAxis: { type: "category", data: group.units, inverse: true, axisTick: { show: false },
               axisLabel: { width: 110, overflow: "truncate" } },
      series: [
        { type: "bar", data: bars, barMaxWidth: 18,
          label: { show: true, position: "right", formatter: function (p) {
            if (p.data.text == null) { return ""; }
            return esc(p.data.text);
          } } },
        // Empty series give the legend its tier colours.
        { name: "先进", type: "bar", data: [] }, { name: "达标", type: "bar", data: [] },
        { name: "后进", type: "bar", data: [] }
      ]
    });
  });

  // Distribution per group: a box (quartiles) with every unit as a dot beside it.
  var distribution = document.getElementById("chart-distribution");
  if (distribution) {
    var names = data.groups.map(function (g) { return g.name; });
    var dots = [];
    data.groups.forEach(function (group, gi) {
      group.totals.forEach(function (total, i) {
        if (total == null) { return; }
        dots.push({ value: [gi, total], text: group.labels[i], name: group.units[i],
                    itemStyle: { color: (TIERS[group.tiers[i]] || TIERS[""]).color } });
      });
    });
    make(distribution, {
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) {
        if (p.seriesType === "boxplot") {
          var v = p.data;
          return esc(p.name) + "<br>最高 " + esc(v[5]) + "<br>上四分位 " + esc(v[4]) +
                 "<br>中位数 " + esc(v[3]) + "<br>下四分位 " + esc(v[2]) + "<br>最低 " + esc(v[1]);
        }
        return esc(p.name) + "：" + esc(p.data.text);
      } },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0 } },
      yAxis: { type: "value", name: "总分", scale: true, splitLine: { lineStyle: { type: "dashed" } } },
      series: [
        { type: "boxplot", data: data.groups.map(function (g) { return g.box || []; }),
          itemStyle: { color: "#fdecea", borderColor: "#b3141c" }, boxWidth: [16, 46] },
        { type: "scatter", data: dots, symbolSize: 7, z: 3,
          itemStyle: { opacity: 0.75 } }
      ]
    });
  }

  // Campaign progress: average rate to date (capped at 100 % per item) and share on schedule.
  var progress = document.getElementById("chart-campaigns");
  if (progress) {
    make(progress, {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      // The values are the server's rounded figures (1 place); the tooltip prints them as they are.
      tooltip: { trigger: "axis", valueFormatter: function (v) { return esc(v) + "%"; } },
      xAxis: { type: "category", data: data.campaigns.map(function (c) { return c.name; }),
               axisLabel: { interval: 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" },
               splitLine: { lineStyle: { type: "dashed" } } },
      series: [
        { name: "平均序时完成率", type: "bar", barMaxWidth: 28, itemStyle: { color: "#b3141c" },
          label: { show: true, position: "top", formatter: function (p) { return esc(p.data.text) + "%"; } },
          data: data.campaigns.map(function (c) { return { value: c.average, text: c.average_label }; }) },
        { name: "达到序时进度的指标占比", type: "bar", barMaxWidth: 28, itemStyle: { color: "#f0a04b" },
          label: { show: true, position: "top", formatter: function (p) { return esc(p.data.text) + "%"; } },
          data: data.campaigns.map(function (c) { return { value: c.on_track, text: c.on_track_label }; }) }
      ]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
