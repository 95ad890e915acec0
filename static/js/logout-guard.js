// Every page: logging out clears what the site keeps on this phone (the answer carries Clear-Site-Data), the
// check-in's queue of marks not yet sent included. Before a logout from any page, count that queue; when it holds
// changes, ask first. The check-in page asks itself (it knows its queue); an unreadable store asks nothing.
(function () {
  "use strict";
  const DB_NAME = "kmportal-checkin";

  async function pendingChanges() {
    // Never create the store here: opening a database that does not exist would make an empty one, which the
    // check-in page (expecting to create its tables) could then not use.
    if (!window.indexedDB || !indexedDB.databases) return 0;
    const known = await indexedDB.databases();
    if (!known.some((entry) => entry.name === DB_NAME)) return 0;
    return new Promise((resolve) => {
      const opening = indexedDB.open(DB_NAME);
      opening.onerror = () => resolve(0);
      opening.onsuccess = () => {
        const db = opening.result;
        if (!db.objectStoreNames.contains("queue")) {
          db.close();
          resolve(0);
          return;
        }
        const counting = db.transaction("queue", "readonly").objectStore("queue").count();
        counting.onsuccess = () => {
          db.close();
          resolve(counting.result);
        };
        counting.onerror = () => {
          db.close();
          resolve(0);
        };
      };
    });
  }

  document.querySelectorAll("form[data-logout-guard]").forEach((form) => {
    if (document.getElementById("checkin-app")) return; // the check-in page has its own question
    let confirmed = false;
    form.addEventListener("submit", (event) => {
      if (confirmed) return;
      event.preventDefault();
      pendingChanges()
        .catch(() => 0)
        .then((count) => {
          if (count && !window.confirm(form.dataset.logoutGuard.replace("{count}", count))) return;
          confirmed = true;
          form.requestSubmit ? form.requestSubmit() : form.submit();
        });
    });
  });
})();
