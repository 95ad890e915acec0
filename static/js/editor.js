// A small rich-text editor for lesson notes, without dependencies: it enhances every
// <textarea data-editor="rich">. The textarea stays in the form, hidden, and receives the editor's HTML on
// every change, so the form posts as usual; without JavaScript the textarea itself takes plain text.
//
// The editor has no rules of its own about what a body may hold. Whatever enters it from outside (the saved
// body, a paste from a word processor or a chat, a link) goes through the server's normalizer first
// (lessons/richtext.py render_body, through the endpoint in data-preview-url), so what the editor shows is
// what will be stored; the toolbar only applies the browser's own bold and list commands.
(function () {
  "use strict";

  // Thai is what facilitators read; a template may pass translations as data-editor-label-<key> attributes of
  // the textarea (data-editor-label-bold, data-editor-label-link-prompt, …).
  const LABELS = {
    toolbar: "จัดรูปแบบข้อความ",
    bold: "ตัวหนา",
    bulleted: "รายการหัวข้อ",
    numbered: "รายการลำดับเลข",
    link: "ลิงก์",
    clear: "ล้างรูปแบบ",
    linkPrompt: "ที่อยู่ของลิงก์ (ขึ้นต้นด้วย https:// หรือเป็นอีเมล)",
  };
  const BUTTONS = [
    { key: "bold", command: "bold", shortcut: "Control+B" },
    // Chromium rebuilds the text and leaves the caret at the start of the item after a list command; the
    // editor puts it back where it was in the text.
    { key: "bulleted", command: "insertUnorderedList", keepCaret: true },
    { key: "numbered", command: "insertOrderedList", keepCaret: true },
    { key: "link", action: "link", shortcut: "Control+K" },
    { key: "clear", action: "clear" },
  ];
  const INVISIBLE = /[\s\u200b\u200c\u200d\u2060\ufeff]/g;

  function hasText(node) {
    return node.textContent.replace(INVISIBLE, "") !== "";
  }

  const BLOCKS = new Set(
    ["P", "DIV", "UL", "OL", "LI", "BLOCKQUOTE", "H1", "H2", "H3", "H4", "H5", "H6", "PRE", "HR", "TABLE"],
  );

  function isBlock(node) {
    return node.nodeType === Node.ELEMENT_NODE && BLOCKS.has(node.nodeName);
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // What a person types at the link prompt: "www.example.org" and "name@example.org" are meant as links too.
  // Whether the address is allowed is the server's decision (the link is inserted through it).
  function linkFromInput(value) {
    const text = value.trim();
    if (/^www\./i.test(text)) return "https://" + text;
    if (/^[^\s@:/]+@[^\s@/]+\.[^\s@/]+$/.test(text)) return "mailto:" + text;
    return text;
  }

  // The server's normalized HTML of a piece of body: HTML (kind "html") or plain text typed or pasted
  // (kind "text", where blank lines part paragraphs and "- " lines make lists).
  function normalized(textarea, body, kind) {
    const form = textarea.form;
    const token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    const data = new FormData();
    data.append("body", body);
    data.append("kind", kind);
    return fetch(textarea.dataset.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: token ? { "X-CSRFToken": token.value } : {},
    }).then((response) => {
      if (!response.ok) throw new Error("preview " + response.status);
      return response.json();
    }).then((json) => json.html);
  }

  function label(textarea, key) {
    const attribute = "editorLabel" + key.charAt(0).toUpperCase() + key.slice(1);
    return textarea.dataset[attribute] || LABELS[key];
  }

  function enhance(textarea) {
    if (textarea.dataset.editorReady) return;
    textarea.dataset.editorReady = "true";
    const id = textarea.id || "rich-editor-" + Math.random().toString(36).slice(2);

    const wrapper = document.createElement("div");
    wrapper.className = "rich-editor";
    const toolbar = document.createElement("div");
    toolbar.className = "rich-editor-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", label(textarea, "toolbar"));
    toolbar.setAttribute("aria-controls", id + "-area");

    const area = document.createElement("div");
    area.id = id + "-area";
    area.className = "rich-editor-area form-control";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.spellcheck = true;
    const fieldLabel = textarea.labels && textarea.labels[0];
    if (fieldLabel) {
      fieldLabel.id = fieldLabel.id || id + "-label";
      area.setAttribute("aria-labelledby", fieldLabel.id);
      // The label points at the hidden textarea; clicking it should reach the editor instead.
      fieldLabel.addEventListener("click", (event) => {
        event.preventDefault();
        area.focus();
      });
    } else if (textarea.getAttribute("aria-label")) {
      area.setAttribute("aria-label", textarea.getAttribute("aria-label"));
    }
    ["aria-describedby", "aria-invalid"].forEach((name) => {
      if (textarea.hasAttribute(name)) area.setAttribute(name, textarea.getAttribute(name));
    });
    if (textarea.classList.contains("is-invalid")) area.classList.add("is-invalid");
    if (textarea.required) {
      // A hidden required control blocks submission without saying why; the server checks instead.
      textarea.required = false;
      area.setAttribute("aria-required", "true");
    }
    if (textarea.placeholder) area.dataset.placeholder = textarea.placeholder;
    if (textarea.rows) area.style.minHeight = Math.max(textarea.rows, 6) * 1.6 + "em";

    // The saved or posted-back body is shown as the server normalizes it; until then, as plain text.
    const value = textarea.value;
    area.replaceChildren();
    if (value.trim()) {
      const paragraph = document.createElement("p");
      paragraph.textContent = value;
      area.append(paragraph);
      normalized(textarea, value, /<[a-z!/]/i.test(value) ? "html" : "text").then((html) => {
        area.innerHTML = html || "<p><br></p>";
        sync();
      }, () => {});
    } else {
      area.innerHTML = "<p><br></p>";
    }

    const buttons = BUTTONS.map((spec, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary btn-sm rich-editor-button rich-editor-" + spec.key;
      button.textContent = label(textarea, spec.key);
      button.setAttribute("aria-label", label(textarea, spec.key));
      if (spec.command) button.setAttribute("aria-pressed", "false");
      if (spec.shortcut) button.setAttribute("aria-keyshortcuts", spec.shortcut);
      button.tabIndex = index === 0 ? 0 : -1; // one tab stop; arrow keys move within the toolbar
      button.dataset.key = spec.key;
      toolbar.append(button);
      return { spec, button };
    });

    wrapper.append(toolbar, area);
    textarea.after(wrapper);
    textarea.hidden = true;

    let savedRange = null;

    function saveCaret() {
      const selection = window.getSelection();
      return selection.rangeCount
        ? [selection.anchorNode, selection.anchorOffset, selection.focusNode, selection.focusOffset]
        : null;
    }

    function restoreCaret(caret) {
      const length = (node) => (node.nodeType === Node.TEXT_NODE ? node.length : node.childNodes.length);
      const fits = (node, offset) => area.contains(node) && offset <= length(node);
      if (caret && fits(caret[0], caret[1]) && fits(caret[2], caret[3])) {
        window.getSelection().setBaseAndExtent(...caret);
      }
    }

    function selectionInArea() {
      const selection = window.getSelection();
      if (!selection.rangeCount) return null;
      const range = selection.getRangeAt(0);
      return area.contains(range.commonAncestorContainer) ? range : null;
    }

    function restoreSelection() {
      area.focus();
      if (savedRange) {
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(savedRange);
      }
    }

    // The caret as a count of characters from the start of the text, which survives Chromium replacing nodes.
    function textOffset(node, offset) {
      const range = document.createRange();
      range.selectNodeContents(area);
      range.setEnd(node, offset);
      return range.toString().length;
    }

    function saveTextCaret() {
      const selection = window.getSelection();
      if (!selection.rangeCount || selection.anchorNode.nodeType !== Node.TEXT_NODE) return null;
      if (!area.contains(selection.anchorNode) || !area.contains(selection.focusNode)) return null;
      return {
        anchor: textOffset(selection.anchorNode, selection.anchorOffset),
        focus: textOffset(selection.focusNode, selection.focusOffset),
        // At a boundary between two text nodes, the start of a line belongs to the later one.
        atStart: selection.anchorOffset === 0,
      };
    }

    function restoreTextCaret(saved) {
      if (!saved) return;
      const positionOf = (target) => {
        const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
        let seen = 0;
        let node;
        while ((node = walker.nextNode())) {
          const end = seen + node.length;
          if (saved.atStart ? target < end : target <= end) return [node, target - seen];
          seen = end;
        }
        return null;
      };
      const anchor = positionOf(saved.anchor);
      const focus = positionOf(saved.focus);
      if (anchor && focus) window.getSelection().setBaseAndExtent(...anchor, ...focus);
    }

    // Chromium's list commands put the list inside the paragraph it was made from (<p><ul>…</ul></p>), which
    // is not HTML and makes Enter after the list nest paragraphs; taking a line out of a list leaves its text
    // outside any paragraph. Lift such blocks out and wrap loose text, moving nodes so that the caret stays.
    function normalizeBlocks() {
      const nested = "p > ul, p > ol, p > p, p > div, p > blockquote, p > h3, p > h4";
      const loose = Array.from(area.childNodes).some(
        (node) => !isBlock(node) && /[^ \t\n\r\f]/.test(node.textContent),
      );
      if (!loose && !area.querySelector(nested)) return;
      const caret = saveCaret();
      let block;
      while ((block = area.querySelector(nested))) {
        const paragraph = block.parentElement;
        const rest = paragraph.cloneNode(false);
        while (block.nextSibling) rest.append(block.nextSibling);
        paragraph.after(block);
        block.after(rest);
        [paragraph, rest].forEach((part) => {
          if (!hasText(part) && !part.querySelector("ul, ol, p")) part.remove();
        });
      }
      let paragraph = null;
      Array.from(area.childNodes).forEach((node) => {
        if (isBlock(node)) {
          paragraph = null;
        } else if (paragraph || /[^ \t\n\r\f]/.test(node.textContent)) {
          if (!paragraph) {
            paragraph = document.createElement("p");
            node.before(paragraph);
          }
          paragraph.append(node);
        }
      });
      restoreCaret(caret);
    }

    function sync() {
      normalizeBlocks();
      if (!area.firstChild || area.innerHTML === "<br>") {
        area.innerHTML = "<p><br></p>";
        const range = document.createRange();
        range.setStart(area.firstChild, 0);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      const empty = !hasText(area);
      area.classList.toggle("is-empty", empty);
      // Text outside any element would reach the server without tags and be taken for plain text.
      textarea.value = empty ? "" : area.firstElementChild ? area.innerHTML : "<p>" + area.innerHTML + "</p>";
    }

    function updateState() {
      buttons.forEach(({ spec, button }) => {
        if (!spec.command) return;
        let pressed = false;
        try {
          pressed = selectionInArea() !== null && document.queryCommandState(spec.command);
        } catch (error) {
          pressed = false;
        }
        button.setAttribute("aria-pressed", String(pressed));
        button.classList.toggle("active", pressed);
      });
    }

    // Insert server-normalized HTML where the selection was (or was saved), replacing any selected text.
    function insertNormalized(body, kind, fallbackText) {
      const range = selectionInArea() || savedRange;
      const saved = range ? range.cloneRange() : null;
      return normalized(textarea, body, kind)
        .then((html) => {
          savedRange = saved;
          restoreSelection();
          if (html) document.execCommand("insertHTML", false, html.replace(/^<p>([\s\S]*)<\/p>$/, "$1"));
        })
        .catch(() => {
          // Offline or refused: the text alone, never unchecked markup.
          savedRange = saved;
          restoreSelection();
          if (fallbackText) document.execCommand("insertText", false, fallbackText);
        })
        .then(() => {
          sync();
          updateState();
        });
    }

    function insertLink() {
      const range = selectionInArea() || savedRange;
      const selected = range ? range.toString() : "";
      const answer = window.prompt(label(textarea, "linkPrompt"), "");
      if (answer === null || !answer.trim()) {
        restoreSelection();
        return;
      }
      const href = linkFromInput(answer);
      const text = selected || (href.startsWith("mailto:") ? href.slice("mailto:".length) : answer.trim());
      insertNormalized('<a href="' + escapeHtml(href) + '">' + escapeHtml(text) + "</a>", "html", text);
    }

    function clearFormatting() {
      restoreSelection();
      const selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) {
        // Nothing selected: clear the whole text (lists and paragraphs stay).
        const range = document.createRange();
        range.selectNodeContents(area);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      document.execCommand("removeFormat");
      document.execCommand("unlink");
    }

    function run(spec) {
      if (spec.action === "link") {
        insertLink();
      } else if (spec.action === "clear") {
        clearFormatting();
      } else {
        restoreSelection();
        const caret = spec.keepCaret ? saveTextCaret() : null;
        document.execCommand(spec.command);
        restoreTextCaret(caret);
      }
      sync();
      updateState();
    }

    buttons.forEach(({ spec, button }) => {
      // Keep the focus (and the selection) in the text when a button is pressed with a mouse or finger.
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => run(spec));
    });

    toolbar.addEventListener("keydown", (event) => {
      const current = buttons.findIndex(({ button }) => button === document.activeElement);
      if (current < 0) return;
      const last = buttons.length - 1;
      const next = {
        ArrowRight: current === last ? 0 : current + 1,
        ArrowLeft: current === 0 ? last : current - 1,
        Home: 0,
        End: last,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      buttons.forEach(({ button }, index) => (button.tabIndex = index === next ? 0 : -1));
      buttons[next].button.focus();
    });

    area.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        savedRange = selectionInArea() || savedRange;
        run(BUTTONS.find((spec) => spec.action === "link"));
      }
    });

    // "- " or "1. " typed at the start of a paragraph starts a list, as the form's help text (written for the
    // plain textarea) promises.
    function autoList(event) {
      if (event.inputType !== "insertText" || event.data !== " ") return false;
      const selection = window.getSelection();
      const node = selection.anchorNode;
      if (!selection.isCollapsed || !node || node.nodeType !== Node.TEXT_NODE) return false;
      const paragraph = node.parentElement;
      if (paragraph.localName !== "p" || paragraph.parentElement !== area || paragraph.firstChild !== node) {
        return false;
      }
      const typed = node.data.slice(0, selection.anchorOffset);
      const bullet = /^[-•*][ \u00a0]$/.test(typed);
      if (!bullet && !/^[0-9\u0e50-\u0e59]{1,3}[.)][ \u00a0]$/.test(typed)) return false;
      node.deleteData(0, typed.length);
      if (!paragraph.textContent) paragraph.replaceChildren(document.createElement("br"));
      const range = document.createRange();
      range.setStart(paragraph.firstChild, 0);
      selection.removeAllRanges();
      selection.addRange(range);
      const caret = saveTextCaret();
      document.execCommand(bullet ? "insertUnorderedList" : "insertOrderedList");
      restoreTextCaret(caret);
      return true;
    }

    area.addEventListener("input", (event) => {
      if (autoList(event)) updateState();
      sync();
    });

    area.addEventListener("paste", (event) => {
      const data = event.clipboardData;
      if (!data) return;
      const html = data.getData("text/html");
      const text = data.getData("text/plain");
      // Always handled here, so that a pasted image never becomes a data: URL in the form; what is kept of
      // a word processor's HTML is the server's decision.
      event.preventDefault();
      if (html || text) insertNormalized(html || text, html ? "html" : "text", text);
    });

    document.addEventListener("selectionchange", () => {
      const range = selectionInArea();
      if (range) {
        savedRange = range.cloneRange();
        updateState();
      }
    });

    sync();
  }

  const SELECTOR = 'textarea[data-editor="rich"]';

  function enhanceAll(root) {
    if (root.matches && root.matches(SELECTOR)) enhance(root);
    root.querySelectorAll(SELECTOR).forEach(enhance);
  }

  // Enter starts a <p>, not a <div>; bold is <b>, not a styled <span>.
  document.execCommand("defaultParagraphSeparator", false, "p");
  document.execCommand("styleWithCSS", false, false);
  enhanceAll(document);
  // Forms that htmx swaps in later are enhanced too.
  document.addEventListener("htmx:load", (event) => enhanceAll(event.target));
})();
