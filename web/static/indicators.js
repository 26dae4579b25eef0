/* The indicators dashboard: draws the numbers of the page's tables as Chart.js charts.
 * The data is the JSON of #indicator-data (the same numbers as the tables under each chart);
 * without JavaScript the tables alone carry them. window.cremonaIndicators keeps the charts (tests). */
(function () {
  "use strict";
  var source = document.getElementById("indicator-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#2d4a2b", "#c0392b", "#d4a017"];
  var charts = {};

  function datasets(rows) {
    return data.events.map(function (event, i) {
      return {
        label: data.eventLabels[i],
        data: rows.map(function (counts) { return counts[i]; }),
        backgroundColor: colours[i % colours.length]
      };
    });
  }

  function draw(id, labels, rows, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    charts[id] = new Chart(canvas, {
      type: "bar",
      data: {labels: labels, datasets: datasets(rows)},
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        scales: {
          x: {beginAtZero: true, ticks: {precision: 0}},
          y: {beginAtZero: true, ticks: {precision: 0}}
        },
        plugins: {legend: {position: "bottom"}}
      }
    });
  }

  draw("per-month-chart", data.months, data.perMonth, false);
  Object.keys(data.breakdowns).forEach(function (dimension) {
    var b = data.breakdowns[dimension];
    if (b.labels.length) { draw(dimension + "-chart", b.labels, b.counts, true); }
  });
  window.cremonaIndicators = {charts: charts};
})();
