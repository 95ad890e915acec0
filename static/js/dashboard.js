// The monthly trend chart of the dashboard. Data comes from the json_script block; no inline script.
(function () {
  "use strict";
  const source = document.getElementById("trend-data");
  const canvas = document.getElementById("trend-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  // Marker shapes as well as colours, so that the lines can be told apart without colour vision.
  const shapes = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "cross", "rectRounded", "line"];
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.months,
      datasets: data.series.map((series, index) => ({
        label: series.label,
        data: series.values.map((value) => (value === null ? null : Math.round(value * 1000) / 10)),
        borderColor: series.color,
        backgroundColor: series.color,
        pointStyle: shapes[index % shapes.length],
        pointRadius: 4,
        spanGaps: true,
        tension: 0,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "nearest", intersect: false },
      scales: { y: { min: 0, max: 100, title: { display: true, text: data.yLabel } } },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
    },
  });
})();
