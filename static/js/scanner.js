// Scan mode of the check-in page: the camera reads an invitee's QR code (their personal code, or a personal link
// that ends with it) and marks them present, or late after the session's late threshold.
//
// Marks go through window.KmCheckin, which the check-in page provides (the offline-first check-in: the code is looked up
// in the invitee list stored on the phone and the mark waits in its queue while offline):
//   KmCheckin.findByCode(code) -> {attendanceId, name, status} | null
//   KmCheckin.mark(attendanceId, status) -> Promise
//
// Decoding is jsQR's (static/vendor/jsqr); this file only runs the camera and reads frames, so nothing is fetched
// from the network and no worker or WebAssembly is needed under the CSP.
(function () {
  "use strict";
  const root = document.getElementById("scanner");
  if (!root) return;

  const CODE = /(\d+)-(\d+)-([A-Z2-7]{16})/i;
  const ATTENDED = ["present", "late"];
  const REPEAT_AFTER_MS = 4000; // the same code held in front of the camera is handled once
  const msg = (name) => root.dataset["msg" + name.replace(/(^|-)(\w)/g, (_m, _d, c) => c.toUpperCase())] || name;

  const toggle = document.getElementById("scanner-toggle");
  const view = document.getElementById("scanner-view");
  const video = document.getElementById("scanner-video");
  const photo = document.getElementById("scanner-photo");
  const result = document.getElementById("scanner-result");
  const nameBox = document.getElementById("scanner-name");
  const messageBox = document.getElementById("scanner-message");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });

  // The check-in page's own list and queue (static/js/checkin.js): works offline.
  const checkin = () => window.KmCheckin;

  // Feedback: the name large, a colour, a beep and a buzz. -----------------------------------------------------------
  let audio = null;
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + (ok ? 0.15 : 0.4));
    } catch (_error) {
      // No sound on this device: the colour and the text remain.
    }
    if (navigator.vibrate) navigator.vibrate(ok ? 120 : [80, 60, 80]);
  }

  function show(kind, name, message) {
    result.hidden = false;
    result.className = "scanner-result mt-2 is-" + kind;
    result.dataset.kind = kind;
    nameBox.textContent = name || "";
    messageBox.textContent = message || "";
  }

  function arrivalStatus() {
    const lateFrom = root.dataset.lateFrom ? new Date(root.dataset.lateFrom) : null;
    return lateFrom && Date.now() > lateFrom.getTime() ? "late" : "present";
  }

  // One scanned text -> one mark. --------------------------------------------------------------------------------
  async function handle(text) {
    const match = CODE.exec(text || "");
    if (!match) {
      show("error", "", msg("not-a-code"));
      return beep(false);
    }
    if (match[1] !== root.dataset.sessionId) {
      show("error", "", msg("other-session"));
      return beep(false);
    }
    const code = match[0].toUpperCase();
    const person = checkin().findByCode(code);
    if (!person) {
      show("error", "", msg("not-on-list"));
      return beep(false);
    }
    if (ATTENDED.includes(person.status)) {
      show("warning", person.name, msg("already"));
      return beep(true);
    }
    const status = arrivalStatus();
    show("info", person.name, msg("saving"));
    try {
      await checkin().mark(person.attendanceId, status);
      show("ok", person.name, msg(status));
      beep(true);
    } catch (error) {
      show("error", person.name, msg("failed") + ": " + (error && error.message ? error.message : ""));
      beep(false);
    }
  }

  // The camera loop. -------------------------------------------------------------------------------------------
  let stream = null;
  let last = { text: "", at: 0 };
  let busy = false;

  function decode(source, width, height) {
    const scale = Math.min(1, 640 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    return found ? found.data : null;
  }

  async function tick() {
    if (!stream) return;
    if (!busy && video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
      const text = decode(video, video.videoWidth, video.videoHeight);
      const now = Date.now();
      if (text && (text !== last.text || now - last.at > REPEAT_AFTER_MS)) {
        last = { text, at: now };
        busy = true;
        try {
          await handle(text);
        } finally {
          busy = false;
        }
      } else if (text) {
        last.at = now;
      }
    }
    window.setTimeout(() => window.requestAnimationFrame(tick), 120);
  }

  async function start() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1280 } },
        audio: false,
      });
    } catch (_error) {
      show("error", "", msg("no-camera"));
      return;
    }
    video.srcObject = stream;
    view.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    toggle.textContent = toggle.dataset.labelStop;
    await video.play().catch(() => {});
    tick();
  }

  function stop() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    view.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    toggle.textContent = toggle.dataset.labelStart;
  }

  toggle.addEventListener("click", () => (stream ? stop() : start()));

  // A photo of a code, for phones where the live camera is refused.
  photo.addEventListener("change", async () => {
    const file = photo.files && photo.files[0];
    photo.value = "";
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      const text = decode(bitmap, bitmap.width, bitmap.height);
      if (text) await handle(text);
      else {
        show("error", "", msg("no-code-in-photo"));
        beep(false);
      }
    } catch (_error) {
      show("error", "", msg("no-code-in-photo"));
    }
  });

  window.addEventListener("pagehide", stop);
})();
