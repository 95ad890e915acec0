// The bar chart of a lesson note's frozen report. Data from the json_script block; no inline script.
(function () {
  "use strict";
  const source = document.getElementById("report-data");
  const canvas = document.getElementById("report-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.label,
          data: data.values.map((value) => (value === null ? null : Math.round(value * 1000) / 10)),
          backgroundColor: "#0072B2",
        },
      ],
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { min: 0, max: 100 } },
      plugins: { legend: { display: false } },
    },
  });
})();
