// "Copy link" on a note: copies the note's address; without the clipboard API the address is selected in a prompt.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    button.addEventListener("click", function () {
      const url = button.getAttribute("data-copy-link");
      const done = function () {
        button.textContent = button.getAttribute("data-copied");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, function () {
          window.prompt("", url);
        });
      } else {
        window.prompt("", url);
      }
    });
  });
})();
