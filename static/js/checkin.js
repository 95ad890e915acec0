/*
 * The check-in page, offline first.
 *
 * Every tap is a change with an id made here (a UUID) and the time it was made, put first in a queue kept on the
 * phone (IndexedDB), then sent in order to the server, which answers for each one. A row shows "saved" only when
 * the server said so. Without a connection, or with an expired login, the queue waits and is sent by itself later;
 * sending a change twice changes nothing (the server knows its id).
 *
 * Interface for other scripts of the page (the QR scanner, static/js/scanner.js):
 *
 *   window.KmCheckin.ready
 *       a Promise, resolved once the list is loaded (from the page or from the phone).
 *   window.KmCheckin.findByCode(code) -> {attendanceId, name, code, status, invited} | null
 *       the row of a personal invitation code (forums.codes.invitation_code, as printed in the QR code) of this
 *       session; null for a code of another session or an unknown one. Works offline.
 *   window.KmCheckin.mark(attendanceId, status) -> Promise<{clientId}>
 *       queues a mark ("present", "late", "absent", "excused", or "" to clear) exactly like a tap; resolves once it
 *       is stored on the phone, not when the server has it (the row shows that). Works offline.
 *   window.KmCheckin.pendingCount() -> number of changes waiting to be sent.
 *   document event "kmcheckin:change" after every change of the list; detail: {pending}.
 *
 * Data on the phone: the session's list (names, portal codes, KM roles, organizations, personal codes) and, for
 * walk-ins, names, portal codes and organizations of the people of the session's area; nothing else. It is removed
 * at logout (the logout answer clears the site's storage) and the day after the session.
 */
(function () {
  "use strict";

  const app = document.getElementById("checkin-app");
  if (!app) return;

  const DB_NAME = "kmportal-checkin";
  const CACHE = "kmportal-checkin-v1";
  const BATCH = 500;
  const RETRY_MAX_MS = 8000;
  const code = app.dataset.code;
  const labels = JSON.parse(document.getElementById("checkin-labels").textContent);
  const embedded = JSON.parse(document.getElementById("checkin-data").textContent);
  const list = document.getElementById("checkin-list");
  const template = document.getElementById("checkin-row-template");
  const filterInput = document.getElementById("checkin-filter");
  const queueBox = document.getElementById("checkin-queue");
  const loginBox = document.getElementById("checkin-login");
  const text = labels.text;

  let db = null;
  let snap = null; // {code, data: {session, organizations, rows, generatedAt}, people, refusals, notices, lastRestAbsent}
  let queue = []; // ops of this session, in order
  let inFlight = new Set(); // seqs being sent
  let syncing = false;
  let syncAgain = false;
  let retryTimer = null;
  let retryDelay = 1000;
  const nodes = new Map(); // row key -> <li>
  const groups = new Map(); // organization name -> <section>
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("kmportal-checkin") : null;

  // IndexedDB ------------------------------------------------------------------------------------------------
  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function openDb() {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const database = req.result;
      database.createObjectStore("sessions", { keyPath: "code" });
      const ops = database.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      ops.createIndex("code", "code");
    };
    return request(req);
  }

  function store(name, mode) {
    return db.transaction(name, mode).objectStore(name);
  }

  async function saveSnap() {
    if (db) await request(store("sessions", "readwrite").put(snap));
  }

  async function loadQueue() {
    if (!db) return queue;
    const ops = await request(store("queue", "readonly").index("code").getAll(code));
    return ops.sort((a, b) => a.seq - b.seq);
  }

  async function addOp(op) {
    op.code = code;
    op.clientId = crypto.randomUUID();
    op.madeAt = new Date().toISOString();
    if (db) {
      op.seq = await request(store("queue", "readwrite").add(op));
    } else {
      op.seq = (queue.length ? queue[queue.length - 1].seq : 0) + 1;
    }
    queue.push(op);
    render();
    sync();
    return op;
  }

  async function putOp(op) {
    if (db) await request(store("queue", "readwrite").put(op));
  }

  async function deleteOps(seqs) {
    if (!seqs.length) return;
    if (db) {
      const tx = db.transaction("queue", "readwrite");
      seqs.forEach((seq) => tx.objectStore("queue").delete(seq));
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
    }
    const gone = new Set(seqs);
    queue = queue.filter((op) => !gone.has(op.seq));
  }

  // The list as shown: the server's rows with the queue laid over them -----------------------------------------
  function orgName(row) {
    return (snap.data.organizations || {})[String(row.org)] || row.orgName || "";
  }

  function displayRows() {
    const rows = snap.data.rows.map((row) => Object.assign({}, row, { key: "r" + row.id, pending: false }));
    const byId = new Map(rows.map((row) => [row.id, row]));
    const byPerson = new Map(rows.map((row) => [row.pid, row]));
    const restRows = new Set((snap.lastRestAbsent && snap.lastRestAbsent.rowIds) || []);
    for (const op of queue) {
      if (op.kind === "mark") {
        const row = byId.get(op.attendanceId);
        if (row) Object.assign(row, { s: op.status, pending: true });
      } else if (op.kind === "walk_in") {
        const row = byPerson.get(op.personId);
        if (row) {
          Object.assign(row, { s: row.inv && row.s ? row.s : op.status, pending: true });
        } else {
          const person = op.person;
          const added = {
            key: "t" + op.clientId, id: null, op: op, v: 0, s: op.status, inv: false, pending: true,
            name: person.name, code: person.code, role: "", orgName: person.org, pid: op.personId, qr: "",
          };
          rows.push(added);
          byPerson.set(op.personId, added);
        }
      } else if (op.kind === "remove_walk_in") {
        const row = byId.get(op.attendanceId);
        if (row) row.removing = true;
      } else if (op.kind === "rest_absent") {
        rows.forEach((row) => {
          if (row.inv && row.s === "") Object.assign(row, { s: "absent", pending: true });
        });
      } else if (op.kind === "undo_rest_absent") {
        rows.forEach((row) => {
          if (restRows.has(row.id) && row.s === "absent") Object.assign(row, { s: "", pending: true });
        });
      }
    }
    return rows.filter((row) => !row.removing);
  }

  function rowState(row) {
    if (row.pending) return "pending";
    if (row.id && snap.refusals[row.id]) return "refused";
    return row.s ? "saved" : "unmarked";
  }

  function stateText(row, state) {
    const status = labels.statuses[row.s] || "";
    if (state === "pending") return text.pending + (row.s ? ": " + status : ": " + labels.statuses[""]);
    if (state === "saved") return text.saved + ": " + status;
    if (state === "refused") return text.refused + (row.s ? " · " + text.now + ": " + status : "");
    return labels.statuses[""];
  }

  function makeNode(row) {
    const li = template.content.firstElementChild.cloneNode(true);
    li.querySelector(".checkin-name").textContent = row.name;
    const meta = [row.code, labels.roles[row.role] || ""].filter(Boolean).join(" · ");
    li.querySelector(".checkin-meta").textContent = meta;
    const badges = li.querySelector(".checkin-badges");
    if (!row.inv) badges.append(" ", badge(text.walkIn, "text-bg-warning"));
    if (row.chair) badges.append(" ", badge(text.chair, "text-bg-danger"));
    li.querySelector(".checkin-buttons").setAttribute("aria-label", text.attendanceOf + " " + row.name);
    li.dataset.search = normalize([row.name, row.code, orgName(row)].join(" "));
    return li;
  }

  function badge(label, kind) {
    const span = document.createElement("span");
    span.className = "badge " + kind;
    span.textContent = label;
    return span;
  }

  function updateNode(li, row) {
    const state = rowState(row);
    li.id = row.id ? "row-" + row.id : "row-new-" + row.op.clientId;
    li.dataset.key = row.key;
    li.dataset.id = row.id || "";
    li.dataset.status = row.s;
    li.dataset.state = state;
    li.querySelectorAll("button[data-status]").forEach((button) => {
      const status = button.dataset.status;
      button.hidden = !row.inv && status !== "present" && status !== "late";
      const pressed = row.s === status;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.classList.toggle("active", pressed);
    });
    const representative = li.querySelector('[data-action="representative"]');
    representative.hidden = !row.inv;
    representative.classList.toggle("active", row.s === "represented");
    if (row.id) representative.href = app.dataset.representativeUrl.replace("/0/", "/" + row.id + "/");
    li.querySelector('[data-action="clear"]').hidden = !row.inv || !row.s;
    li.querySelector('[data-action="remove"]').hidden = row.inv;
    li.querySelector(".checkin-state").textContent =
      stateText(row, state) + (row.s === "represented" && row.rep ? " (" + row.rep + ")" : "");
    const refusal = li.querySelector(".checkin-refusal");
    const refused = row.id && snap.refusals[row.id];
    refusal.hidden = !refused;
    li.querySelector(".checkin-refusal-text").textContent = refused ? refused.reason : "";
  }

  function groupFor(name) {
    let section = groups.get(name);
    if (!section) {
      section = document.createElement("section");
      section.className = "checkin-group mb-3";
      const heading = document.createElement("h2");
      heading.className = "h6 mt-2 mb-1";
      heading.append(name + " ");
      const count = document.createElement("span");
      count.className = "text-body-secondary checkin-group-count";
      heading.append(count);
      const ul = document.createElement("ul");
      ul.className = "list-group";
      section.append(heading, ul);
      groups.set(name, section);
    }
    return section;
  }

  function render() {
    if (!snap) return;
    const rows = displayRows();
    const seen = new Set();
    const byGroup = new Map();
    rows.forEach((row) => {
      const name = row.inv ? orgName(row) : orgName(row) || text.walkIns;
      if (!byGroup.has(name)) byGroup.set(name, []);
      byGroup.get(name).push(row);
    });
    const order = snap.data.rows.map((row) => orgName(row));
    const names = [...byGroup.keys()].sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
    });
    names.forEach((name) => {
      const section = groupFor(name);
      const ul = section.querySelector("ul");
      const groupRows = byGroup.get(name);
      section.querySelector(".checkin-group-count").textContent = "(" + groupRows.length + ")";
      groupRows.forEach((row) => {
        seen.add(row.key);
        let li = nodes.get(row.key);
        if (!li) {
          li = makeNode(row);
          nodes.set(row.key, li);
        }
        updateNode(li, row);
        if (li.parentNode !== ul) ul.append(li);
      });
      if (section.parentNode !== list) list.append(section);
    });
    nodes.forEach((li, key) => {
      if (!seen.has(key)) {
        li.remove();
        nodes.delete(key);
      }
    });
    groups.forEach((section, name) => {
      if (!byGroup.has(name)) {
        section.remove();
        groups.delete(name);
      }
    });
    const empty = document.getElementById("checkin-empty");
    if (empty) empty.hidden = rows.length > 0;
    renderCounts(rows);
    renderNotices();
    renderUndoRest();
    applyFilter();
    document.dispatchEvent(new CustomEvent("kmcheckin:change", { detail: { pending: queue.length } }));
  }

  function renderCounts(rows) {
    const attended = rows.filter((row) => row.s === "present" || row.s === "late").length;
    const invited = rows.filter((row) => row.inv).length;
    const unmarked = rows.filter((row) => row.inv && row.s === "").length;
    setCount("attended", attended);
    setCount("invited", invited);
    setCount("unmarked", unmarked);
    setCount("pending", queue.length);
    queueBox.dataset.state = queue.length ? "waiting" : "idle";
  }

  function setCount(name, value) {
    document.querySelectorAll('[data-count="' + name + '"]').forEach((el) => {
      el.textContent = String(value);
    });
  }

  function renderNotices() {
    let box = document.getElementById("checkin-notices");
    if (!box) {
      box = document.createElement("ul");
      box.id = "checkin-notices";
      box.className = "list-unstyled mb-2";
      box.setAttribute("role", "status");
      list.before(box);
    }
    box.replaceChildren();
    (snap.notices || []).forEach((notice, index) => {
      const li = document.createElement("li");
      li.className = "alert alert-warning py-1 px-2 mb-1 small";
      li.textContent = notice + " ";
      const ok = document.createElement("button");
      ok.type = "button";
      ok.className = "btn btn-link btn-sm p-0 align-baseline";
      ok.dataset.notice = String(index);
      ok.textContent = text.ok;
      li.append(ok);
      box.append(li);
    });
  }

  function renderUndoRest() {
    const box = document.getElementById("checkin-undo-rest");
    const last = snap.lastRestAbsent;
    const queued = queue.some((op) => op.kind === "undo_rest_absent");
    box.hidden = !last || queued;
    if (last) box.querySelector(".checkin-undo-text").textContent = text.restMarked.replace("%s", last.count);
  }

  // Filter ---------------------------------------------------------------------------------------------------------
  function normalize(value) {
    return value.normalize("NFC").toLocaleLowerCase("th").replace(/\s+/g, " ").trim();
  }

  function applyFilter() {
    const words = normalize(filterInput.value).split(" ").filter(Boolean);
    groups.forEach((section) => {
      let visible = 0;
      section.querySelectorAll(".checkin-row").forEach((li) => {
        const match = words.every((word) => li.dataset.search.includes(word));
        li.hidden = !match;
        if (match) visible += 1;
      });
      section.hidden = visible === 0;
    });
  }

  // Taps -----------------------------------------------------------------------------------------------------------
  function findRow(li) {
    return displayRows().find((row) => row.key === li.dataset.key);
  }

  function mark(row, status) {
    if (!row.id) {
      // A walk-in not yet sent: change the waiting change itself.
      const op = row.op;
      if (op && !inFlight.has(op.seq) && (status === "present" || status === "late")) {
        op.status = status;
        return putOp(op).then(render).then(() => op);
      }
      return Promise.resolve(null);
    }
    if (row.s === status) return Promise.resolve(null);
    const server = snap.data.rows.find((r) => r.id === row.id);
    delete snap.refusals[row.id];
    return saveSnap().then(() =>
      addOp({ kind: "mark", attendanceId: row.id, status: status, version: server ? server.v : row.v }),
    );
  }

  function removeWalkIn(row) {
    if (!row.id) {
      const op = row.op;
      if (op && !inFlight.has(op.seq)) return deleteOps([op.seq]).then(render);
      return Promise.resolve();
    }
    const server = snap.data.rows.find((r) => r.id === row.id);
    return addOp({ kind: "remove_walk_in", attendanceId: row.id, version: server.v });
  }

  list.addEventListener("click", (event) => {
    const li = event.target.closest(".checkin-row");
    if (!li) return;
    const button = event.target.closest("button");
    if (!button) return;
    const row = findRow(li);
    if (!row) return;
    if (button.dataset.status) mark(row, button.dataset.status);
    else if (button.dataset.action === "clear") mark(row, "");
    else if (button.dataset.action === "remove") removeWalkIn(row);
    else if (button.dataset.action === "dismiss") {
      delete snap.refusals[row.id];
      saveSnap().then(render);
    }
  });

  document.addEventListener("click", (event) => {
    const ok = event.target.closest("[data-notice]");
    if (!ok) return;
    snap.notices.splice(Number(ok.dataset.notice), 1);
    saveSnap().then(render);
  });

  filterInput.addEventListener("input", applyFilter);

  // Mark the rest absent, with a real confirmation; undo as one change -----------------------------------------
  const confirmDialog = document.getElementById("checkin-confirm-rest");
  document.getElementById("checkin-rest-absent").addEventListener("click", () => confirmDialog.showModal());
  document.getElementById("checkin-confirm-rest-cancel").addEventListener("click", () => confirmDialog.close());
  document.getElementById("checkin-confirm-rest-ok").addEventListener("click", () => {
    confirmDialog.close();
    addOp({ kind: "rest_absent" });
  });
  document.getElementById("checkin-undo-rest-button").addEventListener("click", () => {
    if (snap.lastRestAbsent) addOp({ kind: "undo_rest_absent", batch: snap.lastRestAbsent.clientId });
  });

  // Walk-ins found in the people kept on the phone -------------------------------------------------------------
  const search = document.getElementById("walk-in-search");
  const results = document.getElementById("search-results");
  function showPeople() {
    results.replaceChildren();
    const words = normalize(search.value).split(" ").filter(Boolean);
    if (!words.length || normalize(search.value).length < 2) return;
    const onList = new Map(displayRows().map((row) => [row.pid, row]));
    const found = (snap.people || [])
      .filter((person) => {
        const haystack = normalize(person[1] + " " + person[2] + " " + person[3]);
        return words.every((word) => haystack.includes(word));
      })
      .slice(0, 15);
    if (!found.length) {
      const li = document.createElement("li");
      li.className = "list-group-item small";
      li.textContent = snap.people ? text.noOneFound : text.notPrepared;
      results.append(li);
    }
    found.forEach(([id, personCode, name, org]) => {
      const li = document.createElement("li");
      li.className = "list-group-item d-flex flex-wrap justify-content-between align-items-center gap-1";
      const who = document.createElement("span");
      who.textContent = name + " · " + personCode + " · " + org;
      li.append(who);
      const row = onList.get(id);
      if (row && (row.inv ? row.s === "present" || row.s === "late" : true)) {
        const already = document.createElement("span");
        already.className = "small text-body-secondary";
        already.textContent = text.alreadyOnList;
        li.append(already);
      } else {
        const buttons = document.createElement("span");
        ["present", "late"].forEach((status) => {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "btn checkin-btn checkin-tap ms-1";
          button.dataset.walkIn = String(id);
          button.dataset.status = status;
          button.textContent = labels.statuses[status];
          buttons.append(button);
        });
        li.append(buttons);
      }
      results.append(li);
    });
  }
  search.addEventListener("input", showPeople);
  results.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-walk-in]");
    if (!button) return;
    const id = Number(button.dataset.walkIn);
    const person = snap.people.find((p) => p[0] === id);
    addOp({
      kind: "walk_in",
      personId: id,
      status: button.dataset.status,
      person: { name: person[2], code: person[1], org: person[3] },
    }).then(() => {
      search.value = "";
      showPeople();
    });
  });

  // Sending the queue ---------------------------------------------------------------------------------------------
  function csrfToken() {
    const name = app.dataset.csrfCookie + "=";
    const cookie = document.cookie.split("; ").find((part) => part.startsWith(name));
    return cookie ? decodeURIComponent(cookie.slice(name.length)) : "";
  }

  function setOnline(online) {
    const connection = queueBox.querySelector(".checkin-connection");
    connection.textContent = online ? connection.dataset.online : connection.dataset.offline;
    queueBox.dataset.online = online ? "yes" : "no";
  }

  function showLogin(needed) {
    loginBox.hidden = !needed;
    queueBox.dataset.login = needed ? "needed" : "ok";
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function withLock(task) {
    if (navigator.locks) return navigator.locks.request("kmportal-checkin-sync-" + code, task);
    return task();
  }

  async function readJson(response) {
    if (!(response.headers.get("Content-Type") || "").includes("application/json")) return null;
    try {
      return await response.json();
    } catch (error) {
      return null;
    }
  }

  function wire(op) {
    return {
      clientId: op.clientId, kind: op.kind, madeAt: op.madeAt, attendanceId: op.attendanceId,
      status: op.status, version: op.version, personId: op.personId, batch: op.batch,
    };
  }

  async function sendOnce() {
    queue = await loadQueue();
    if (!queue.length) return "done";
    const batch = queue.slice(0, BATCH);
    inFlight = new Set(batch.map((op) => op.seq));
    let response;
    try {
      response = await fetch(app.dataset.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
          "X-Requested-With": "XMLHttpRequest",
        },
        body: JSON.stringify({ ops: batch.map(wire) }),
      });
    } catch (error) {
      setOnline(false);
      return "retry";
    }
    setOnline(true);
    if (response.status === 401) {
      showLogin(true);
      return "retry";
    }
    const body = await readJson(response);
    if (!body) return "retry"; // an HTML page (proxy, CSRF failure): not an answer; try again later
    if (response.status === 403 || response.status === 404 || response.status === 400) {
      await refuseAll(batch, body.message || text.refused);
      return "more";
    }
    if (!response.ok || !Array.isArray(body.results)) return "retry";
    showLogin(false);
    await applyResults(batch, body.results, body.serverTime);
    return "more";
  }

  async function sync() {
    if (!snap) return;
    if (syncing) {
      syncAgain = true;
      return;
    }
    syncing = true;
    clearTimeout(retryTimer);
    let outcome = "done";
    try {
      await withLock(async () => {
        for (;;) {
          outcome = await sendOnce();
          if (outcome !== "more") break;
        }
      });
    } finally {
      syncing = false;
      inFlight = new Set();
      queue = await loadQueue();
      render();
      if (outcome === "retry") scheduleRetry();
      else retryDelay = 1000;
      if (syncAgain) {
        syncAgain = false;
        sync();
      }
    }
  }

  // Rows the server sent back after a change carry the server time of that answer ("_at"), so that a copy of the
  // whole list made earlier (the page's own, or data.json fetched meanwhile) never puts an older state back. A
  // change of a known row comes back as the fields it can alter (id, version, status, representative): merged.
  function upsertRows(rows, organizations, serverTime) {
    Object.assign(snap.data.organizations, organizations || {});
    const byId = new Map(snap.data.rows.map((r, index) => [r.id, index]));
    rows.forEach((row) => {
      row._at = serverTime;
      const index = byId.get(row.id);
      if (index !== undefined) snap.data.rows[index] = Object.assign({}, snap.data.rows[index], row);
      else {
        byId.set(row.id, snap.data.rows.length);
        snap.data.rows.push(row);
      }
    });
  }

  function mergeData(local, incoming) {
    if (!local) return incoming;
    const since = incoming.generatedAt;
    const removed = local.removed || {};
    const newer = local.rows.filter((row) => row._at && row._at > since);
    const newerIds = new Set(newer.map((row) => row.id));
    const rows = incoming.rows
      .filter((row) => !newerIds.has(row.id) && !(removed[row.id] && removed[row.id] > since))
      .concat(newer);
    const stillRecent = {};
    Object.keys(removed).forEach((id) => {
      if (removed[id] > since) stillRecent[id] = removed[id];
    });
    return Object.assign({}, incoming, {
      rows: rows,
      removed: stillRecent,
      organizations: Object.assign({}, local.organizations, incoming.organizations),
    });
  }

  async function refuseAll(batch, reason) {
    batch.forEach((op) => {
      if (op.attendanceId) snap.refusals[op.attendanceId] = { reason: reason };
      else snap.notices.push(reason);
    });
    await saveSnap();
    await deleteOps(batch.map((op) => op.seq));
    announce();
  }

  async function applyResults(batch, results, serverTime) {
    const byClient = new Map(batch.map((op) => [op.clientId, op]));
    const newVersions = new Map(); // row id -> [old version, new version]
    const done = [];
    results.forEach((result) => {
      const op = byClient.get(result.clientId);
      if (!op) return;
      done.push(op.seq);
      const before = op.attendanceId ? snap.data.rows.find((r) => r.id === op.attendanceId) : null;
      upsertRows(result.rows || [], result.organizations, serverTime);
      (result.removed || []).forEach((id) => {
        snap.data.rows = snap.data.rows.filter((r) => r.id !== id);
        snap.data.removed = Object.assign(snap.data.removed || {}, { [id]: serverTime });
        delete snap.refusals[id];
      });
      const rowId = op.attendanceId || (result.rows && result.rows.length === 1 ? result.rows[0].id : null);
      if (result.result === "conflict" || result.result === "refused") {
        if (op.attendanceId) snap.refusals[op.attendanceId] = { reason: result.reason };
        else snap.notices.push((op.person ? op.person.name + ": " : "") + result.reason);
      } else if (rowId && op.kind !== "rest_absent" && op.kind !== "undo_rest_absent") {
        delete snap.refusals[rowId];
      }
      if (before && result.rows && result.rows.length === 1 && result.result !== "conflict") {
        newVersions.set(before.id, [op.version, result.rows[0].v]);
      }
      if (op.kind === "rest_absent" && result.result === "saved") {
        snap.lastRestAbsent = {
          clientId: op.clientId, count: result.rows.length, rowIds: result.rows.map((r) => r.id),
        };
      }
      if (op.kind === "undo_rest_absent") {
        snap.lastRestAbsent = null;
        if (result.skipped) snap.notices.push(text.undoSkipped.replace("%s", result.skipped));
        if (result.result === "refused") snap.notices.push(result.reason);
      }
    });
    await saveSnap();
    await deleteOps(done);
    // Changes made on this phone while these were on their way were made on the version these replaced.
    const rest = await loadQueue();
    for (const op of rest) {
      const chain = op.attendanceId && newVersions.get(op.attendanceId);
      if (chain && op.version === chain[0]) {
        op.version = chain[1];
        await putOp(op);
      }
    }
    queue = await loadQueue();
    announce();
  }

  function announce() {
    if (channel) channel.postMessage({ code: code, type: "changed" });
  }

  if (channel) {
    channel.onmessage = async (event) => {
      if (!event.data || event.data.code !== code || !db) return;
      const stored = await request(store("sessions", "readonly").get(code));
      if (stored) snap = stored;
      queue = await loadQueue();
      if (!queue.length) showLogin(false);
      render();
    };
  }

  window.addEventListener("online", () => {
    setOnline(true);
    retryDelay = 1000;
    sync();
  });
  window.addEventListener("offline", () => setOnline(false));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") sync();
  });
  window.addEventListener("focus", () => sync());

  // Leaving with changes not yet sent ------------------------------------------------------------------------------
  document.querySelectorAll('form[action$="/logout/"]').forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (queue.length && !window.confirm(text.logoutPending.replace("%s", queue.length))) {
        event.preventDefault();
      }
    });
  });

  // Prepare for the venue: the page, its files and the list kept on the phone -------------------------------------
  const prepared = document.getElementById("checkin-prepared");

  async function cachePageAndFiles() {
    if (!("caches" in window)) return;
    const files = performance
      .getEntriesByType("resource")
      .map((entry) => new URL(entry.name))
      .filter((url) => url.origin === location.origin && url.pathname.startsWith("/static/"))
      .map((url) => url.href);
    const cache = await caches.open(CACHE);
    await cache.addAll([...new Set([location.origin + location.pathname, ...files])]);
  }

  async function prepare() {
    try {
      if ("serviceWorker" in navigator) {
        await navigator.serviceWorker.register(app.dataset.swUrl, { scope: app.dataset.swScope });
        await navigator.serviceWorker.ready;
      }
      const response = await fetch(app.dataset.dataUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status === 401) {
        showLogin(true);
        throw new Error("login");
      }
      const data = await readJson(response);
      if (!response.ok || !data) throw new Error("data");
      snap.people = data.people;
      delete data.people;
      snap.data = mergeData(snap.data, data);
      snap.preparedAt = new Date().toISOString();
      await saveSnap();
      await cachePageAndFiles();
      render();
      prepared.textContent = prepared.dataset.ready + " (" + new Date().toLocaleTimeString() + ")";
      document.documentElement.dataset.offlineReady = "yes";
    } catch (error) {
      if (snap.preparedAt) {
        prepared.textContent = prepared.dataset.ready;
        document.documentElement.dataset.offlineReady = "yes";
      } else {
        prepared.textContent = prepared.dataset.failed;
      }
    }
  }
  document.getElementById("checkin-prepare").addEventListener("click", prepare);

  // Forget sessions that are over (their queue sent) -----------------------------------------------------------
  async function forgetOldSessions() {
    if (!db) return;
    const today = new Date().toISOString().slice(0, 10);
    const sessions = await request(store("sessions", "readonly").getAll());
    for (const old of sessions) {
      if (old.code === code || old.data.session.keepUntil >= today) continue;
      const waiting = await request(store("queue", "readonly").index("code").count(old.code));
      if (waiting) continue;
      await request(store("sessions", "readwrite").delete(old.code));
      if ("caches" in window) {
        const cache = await caches.open(CACHE);
        await cache.delete(location.origin + "/forums/" + encodeURIComponent(old.code) + "/checkin/");
      }
    }
  }

  // Start -----------------------------------------------------------------------------------------------------
  async function start() {
    try {
      db = await openDb();
    } catch (error) {
      db = null; // private mode without IndexedDB: the queue lives as long as the page
    }
    const stored = db ? await request(store("sessions", "readonly").get(code)) : null;
    snap = stored || { code: code, data: embedded, people: null, refusals: {}, notices: [], lastRestAbsent: null };
    // A page served from the phone's cache is older than what the phone has learned since: merge, newest wins.
    if (stored) snap.data = embedded.generatedAt > stored.data.generatedAt ? mergeData(stored.data, embedded) : stored.data;
    snap.refusals = snap.refusals || {};
    snap.notices = snap.notices || [];
    await saveSnap();
    queue = await loadQueue();
    setOnline(navigator.onLine);
    render();
    return snap;
  }

  const ready = start();
  ready.then(() => {
    sync();
    if (navigator.onLine) prepare();
    else if (snap.preparedAt) document.documentElement.dataset.offlineReady = "yes";
    forgetOldSessions();
  });

  window.KmCheckin = {
    ready: ready.then(() => undefined),
    findByCode(personalCode) {
      if (!snap) return null;
      const wanted = String(personalCode || "").trim().toUpperCase();
      const row = displayRows().find((r) => r.qr && r.qr.toUpperCase() === wanted);
      if (!row) return null;
      return { attendanceId: row.id, name: row.name, code: row.code, status: row.s, invited: row.inv };
    },
    mark(attendanceId, status) {
      const row = displayRows().find((r) => r.id === attendanceId);
      if (!row) return Promise.reject(new Error("not on this session's list"));
      return mark(row, status).then((op) => ({ clientId: op ? op.clientId : null }));
    },
    pendingCount() {
      return queue.length;
    },
  };
})();
