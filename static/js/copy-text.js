// Copy buttons: <button data-copy="#field"> copies that field's text (personal links to paste into LINE or email).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const field = document.querySelector(button.dataset.copy);
      if (!field) return;
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (_error) {
        document.execCommand("copy"); // older phones without the clipboard API
      }
      button.classList.add("active");
      window.setTimeout(() => button.classList.remove("active"), 1200);
    });
  });
})();
