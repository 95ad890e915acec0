// "Copy for LINE": puts the message of a button's data-copy-text on the clipboard (nothing is sent anywhere).
// Falls back to selecting a hidden textarea where the Clipboard API is missing (plain http on an intranet).
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "position-absolute top-0 start-0 opacity-0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text);
      });
    }
    return fallbackCopy(text);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-text]");
    if (!button) {
      return;
    }
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    copy(button.getAttribute("data-copy-text")).then(
      function () {
        if (status) status.textContent = button.getAttribute("data-copied-label");
      },
      function () {
        if (status) status.textContent = button.getAttribute("data-failed-label");
      }
    );
  });
})();
