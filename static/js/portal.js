// Every page: a table wider than the screen scrolls inside its .table-responsive box. A keyboard user must be
// able to reach that box to scroll it (WCAG 2.1.1), so a box that overflows becomes focusable, named after the
// heading above it when there is one.
(function () {
  "use strict";

  function headingBefore(box) {
    for (let node = box.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) return node;
    }
    return null;
  }

  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.dataset.scrollFocus = "1";
        const heading = headingBefore(box);
        if (heading && heading.textContent.trim()) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", heading.textContent.trim());
        }
      } else if (!scrolls && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollFocus;
      }
    });
  }

  let pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  });
  document.addEventListener("htmx:afterSettle", update);
  update();
})();
