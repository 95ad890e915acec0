// The sign-in sheet's print button (no inline script under the CSP).
(function () {
  "use strict";
  const button = document.getElementById("print-sheet");
  if (button) button.addEventListener("click", () => window.print());
})();
