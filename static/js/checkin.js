// Type-to-filter on the check-in screen. Thai and Latin: the text is NFC-normalized and lower-cased on both sides.
(function () {
  "use strict";
  const input = document.getElementById("checkin-filter");
  if (!input) return;
  const normalize = (text) => text.normalize("NFC").toLocaleLowerCase("th").replace(/\s+/g, " ").trim();

  function apply() {
    const words = normalize(input.value).split(" ").filter(Boolean);
    document.querySelectorAll(".checkin-group").forEach((group) => {
      let visible = 0;
      group.querySelectorAll(".checkin-row").forEach((row) => {
        const haystack = normalize(row.dataset.search || "");
        const match = words.every((word) => haystack.includes(word));
        row.hidden = !match;
        if (match) visible += 1;
      });
      group.hidden = visible === 0;
    });
  }

  input.addEventListener("input", apply);
  // Rows swapped in by htmx after a mark keep the current filter.
  document.body.addEventListener("htmx:afterSwap", apply);
})();
