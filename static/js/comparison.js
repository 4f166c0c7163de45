/* The comparison page's chart (ECharts, served by the app): the unit's weekly verified figure
   (前后比) against its target line (a step: the target to date changes only when a milestone
   falls due) and its group's best and average (左右比). Data: the "comparison-data" JSON; the
   tooltip prints the server's rounded labels, never reformatting a number here. */
(function () {
  "use strict";
  var source = document.getElementById("comparison-data");
  var element = document.getElementById("comparison-chart");
  if (!source || !element || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data || data.milestone) { return; }
  var esc = window.jz.escapeHtml;  // the tooltip is HTML: every value it places goes through it
  var FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif";
  var lines = [
    { key: "own", name: "本单位", color: "#b3141c", width: 3, type: "solid", step: false },
    { key: "target", name: "序时目标", color: "#555", width: 2, type: "dashed", step: "end" },
    { key: "best", name: "组内最好", color: "#2e7d32", width: 2, type: "solid", step: false },
    { key: "average", name: "组内平均", color: "#5b8def", width: 2, type: "dotted", step: false }
  ];
  function line(which, index) {  // "本单位 12.5 亿元", as plain text (escaped by the caller)
    var label = data[lines[which].key].labels[index];
    if (label === "") { return lines[which].name + " 无"; }
    if (which === 1 && label === "尚无到期节点") { return lines[which].name + " " + label; }
    return lines[which].name + " " + label + " " + data.measure;
  }
  var chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    textStyle: { fontFamily: FONT },
    animationDuration: 500,
    // room below for the legend, which wraps to two lines at phone width
    grid: { left: 8, right: 16, top: 28, bottom: element.clientWidth < 576 ? 60 : 32,
            containLabel: true },
    legend: { bottom: 0, data: lines.map(function (l) { return l.name; }) },
    tooltip: {
      trigger: "axis",
      formatter: function (items) {
        var index = items[0].dataIndex;
        return esc(data.weeks[index]) + "<br>" + esc(line(0, index)) + "<br>" +
               esc(line(1, index)) + "<br>" + esc(line(2, index)) + "<br>" + esc(line(3, index));
      }
    },
    xAxis: { type: "category", data: data.weeks, boundaryGap: false },
    yAxis: { type: "value", name: data.measure, inverse: false,
             splitLine: { lineStyle: { type: "dashed" } } },
    series: lines.map(function (line) {
      return {
        name: line.name, type: "line", step: line.step, data: data[line.key].values,
        connectNulls: false, showSymbol: false, color: line.color,
        lineStyle: { width: line.width, type: line.type }
      };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
