/* Charts of the results page (ECharts, served by the app): totals per group coloured by tier
   (the best on top), a histogram of totals by score band, and campaign progress. Data: the "results-data" JSON, whose
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

  // Histogram of totals: how many units score in each band, stacked by tier, so a leader sees
  // at a glance where the county stands and how many sit below the 60-point line.
  var histogram = document.getElementById("chart-histogram");
  if (histogram && data.histogram) {
    var bands = data.histogram.bands;
    var stacks = ["advanced", "standard", "lagging", ""].map(function (key) {
      return {
        name: TIERS[key].label, type: "bar", stack: "units", barMaxWidth: 48,
        itemStyle: { color: TIERS[key].color },
        label: { show: true, position: "inside", color: "#fff",
                 formatter: function (p) {
                   if (!p.value) { return ""; }
                   return esc(p.value);
                 } },
        data: data.histogram.counts[key]
      };
    }).filter(function (series) {
      return series.data.some(function (n) { return n > 0; });
    });
    make(histogram, {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, right: 0, selectedMode: false, itemWidth: 12, itemHeight: 10 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (items) {
        var index = items[0].dataIndex;
        var counts = [];
        items.forEach(function (item) {
          if (item.value) { counts.push(item.seriesName + " " + item.value + " 个"); }
        });
        return esc(bands[index]) + "<br>" + esc(counts.join("，")) + "<br>" +
               esc(data.histogram.names[index].join("、"));
      } },
      xAxis: { type: "category", data: bands, axisLabel: { interval: 0 } },
      yAxis: { type: "value", name: "单位数", minInterval: 1,
               splitLine: { lineStyle: { type: "dashed" } } },
      series: stacks
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
