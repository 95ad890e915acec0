// The monthly trend of the dashboard as small multiples: one chart per agency on the same 0–100 axis, with the
// median of the nine agencies in grey for reference. Data comes from the json_script block; no inline script.
(function () {
  "use strict";
  const source = document.getElementById("trend-data");
  const grid = document.getElementById("trend-charts");
  if (!source || !grid || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const percent = (value) => (value === null ? null : Math.round(value * 1000) / 10);
  // The page's own font (Sarabun), so that Thai month names and agency names read as on the rest of the page.
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  grid.querySelectorAll("canvas[data-series]").forEach((canvas) => {
    const series = data.series[Number(canvas.dataset.series)];
    if (!series) return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.months,
        datasets: [
          {
            label: series.label,
            data: series.values.map(percent),
            borderColor: "#0072B2",
            backgroundColor: "#0072B2",
            pointRadius: 2,
            borderWidth: 2,
            spanGaps: false,
            tension: 0,
          },
          {
            label: data.medianLabel,
            data: data.median.map(percent),
            borderColor: "#999999",
            backgroundColor: "#999999",
            borderDash: [4, 3],
            pointRadius: 0,
            borderWidth: 1.5,
            spanGaps: true,
            tension: 0,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 4 } },
          y: { min: 0, max: 100, ticks: { stepSize: 50 }, title: { display: false, text: data.yLabel } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.formattedValue}%` } },
        },
      },
    });
  });
})();
