// A small rich-text editor for lesson notes, without dependencies: it enhances every
// <textarea data-editor="rich">. The textarea stays in the form, hidden, and receives the editor's HTML on
// every change, so the form posts as usual; without JavaScript the textarea itself takes plain text. The
// server sanitizes whatever arrives (lessons/richtext.py), so the clean-up here is a courtesy that makes the
// editor show what will be kept.
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
    linkRejected: "ใส่ได้เฉพาะลิงก์ที่ขึ้นต้นด้วย http:// หรือ https:// หรืออีเมล",
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
  const SAFE_PROTOCOLS = ["http:", "https:", "mailto:"];
  // Never worth keeping from a paste: code, styling, embedded content, form controls, and images (which a
  // note cannot hold).
  const DROPPED =
    "script, style, link, meta, title, xml, template, noscript, iframe, frame, frameset, object, embed, " +
    "svg, math, form, input, button, select, textarea, img, picture, video, audio, canvas";
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

  // The address as the browser understands it when it is absolute http, https or mailto; otherwise null.
  function safeUrl(value) {
    try {
      const url = new URL(value.trim());
      return SAFE_PROTOCOLS.includes(url.protocol) ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  // What a person types at the prompt: "www.example.org" and "name@example.org" are meant as links too.
  function urlFromInput(value) {
    const text = value.trim();
    if (/^www\./i.test(text)) return safeUrl("https://" + text);
    if (/^[^\s@:/]+@[^\s@/]+\.[^\s@/]+$/.test(text)) return safeUrl("mailto:" + text);
    return safeUrl(text);
  }

  // Plain text as the server's text_to_html reads it: blank lines part paragraphs, and lines starting with
  // "- ", "• ", "* " or "1. ", "2) " make lists (a chat message pasted with bullets keeps them).
  const BULLET_ITEM = /^[ \t]*[-•*][ \t]+(.*)$/;
  const NUMBERED_ITEM = /^[ \t]*[0-9\u0e50-\u0e59]{1,3}[.)][ \t]+(.*)$/;

  function textToHtml(text) {
    const parts = [];
    let lines = [];
    let list = null;
    const flushLines = () => {
      if (lines.length) parts.push("<p>" + lines.map(escapeHtml).join("<br>") + "</p>");
      lines = [];
    };
    const flushList = () => {
      if (list) parts.push("<" + list.tag + ">" + list.items.join("") + "</" + list.tag + ">");
      list = null;
    };
    text.replace(/\r\n?/g, "\n").split("\n").forEach((line) => {
      const bullet = BULLET_ITEM.exec(line);
      const numbered = bullet ? null : NUMBERED_ITEM.exec(line);
      if (bullet || numbered) {
        const tag = bullet ? "ul" : "ol";
        flushLines();
        if (list && list.tag !== tag) flushList();
        list = list || { tag, items: [] };
        list.items.push("<li>" + escapeHtml((bullet || numbered)[1].trim()) + "</li>");
      } else if (line.trim()) {
        flushList();
        lines.push(line.trim());
      } else {
        flushLines();
      }
    });
    flushLines();
    flushList();
    return parts.join("");
  }

  // Word writes a list as paragraphs with style="mso-list:l0 level1 lfo1" and the bullet or number as text in
  // a span marked mso-list:Ignore. Turn runs of them into <ul>/<ol>, before their styles are stripped.
  function wordListsToLists(root) {
    const items = Array.from(root.querySelectorAll("p")).filter((p) =>
      /mso-list:\s*l\d/i.test(p.getAttribute("style") || ""),
    );
    const isItem = new Set(items);
    const ordered = new Map();
    items.forEach((p) => {
      const marker = p.querySelector('span[style*="mso-list:ignore" i], span[style*="mso-list: ignore" i]');
      const markerText = marker ? marker.textContent.replace(INVISIBLE, "") : "";
      ordered.set(p, /^\(?[0-9a-z\u0e01-\u0e2e\u0e50-\u0e59]{1,4}[.)]/i.test(markerText));
      if (marker) {
        let outer = marker;
        while (outer.parentElement !== p && outer.parentElement.textContent === marker.textContent) {
          outer = outer.parentElement;
        }
        outer.remove();
      }
    });
    // Group before moving anything, while the paragraphs are still each other's siblings.
    const startsList = items.map((p) => {
      const previous = p.previousElementSibling;
      return !(previous && isItem.has(previous) && ordered.get(previous) === ordered.get(p));
    });
    let list = null;
    items.forEach((p, index) => {
      if (startsList[index]) {
        list = root.ownerDocument.createElement(ordered.get(p) ? "ol" : "ul");
        p.before(list);
      }
      const item = root.ownerDocument.createElement("li");
      item.append(...p.childNodes);
      list.append(item);
      p.remove();
    });
  }

  // Pasted or posted-back HTML as the editor should hold it, parsed in an inert document where nothing runs.
  function tidy(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const body = doc.body;
    wordListsToLists(body);
    body.querySelectorAll(DROPPED).forEach((element) => element.remove());
    const walker = doc.createTreeWalker(body, NodeFilter.SHOW_COMMENT);
    const comments = [];
    while (walker.nextNode()) comments.push(walker.currentNode);
    comments.forEach((comment) => comment.remove());
    body.querySelectorAll("*").forEach((element) => {
      // on* handlers and Word's class, style and lang all go; a link keeps its address and title.
      Array.from(element.attributes).forEach((attribute) => {
        const name = attribute.name.toLowerCase();
        if (!(element.localName === "a" && (name === "href" || name === "title"))) {
          element.removeAttribute(attribute.name);
        }
      });
      const href = element.localName === "a" ? element.getAttribute("href") : null;
      if (href !== null && !safeUrl(href)) element.removeAttribute("href");
    });
    // Word's own elements (<o:p>, <st1:place>) carry nothing but their text.
    Array.from(body.querySelectorAll("*"))
      .filter((element) => element.localName.includes(":"))
      .forEach((element) => element.replaceWith(...element.childNodes));
    // Word writes <p><o:p>&nbsp;</o:p></p> for every blank line; the server drops empty paragraphs too.
    body.querySelectorAll("p").forEach((p) => {
      if (!hasText(p)) p.remove();
    });
    // The line breaks between Word's paragraphs would otherwise be pasted as a paragraph of their own.
    [body, ...body.querySelectorAll("ul, ol, div, blockquote")].forEach((parent) => {
      Array.from(parent.childNodes)
        .filter((node) => node.nodeType === Node.TEXT_NODE && !/[^ \t\n\r\f]/.test(node.data))
        .forEach((node) => node.remove());
    });
    return body.innerHTML.trim();
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

    const value = textarea.value;
    area.innerHTML = !value.trim() ? "" : /<[a-z!/]/i.test(value) ? tidy(value) : textToHtml(value);
    if (!area.firstElementChild) area.innerHTML = "<p>" + (area.innerHTML || "<br>") + "</p>";

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

    function insertLink() {
      const answer = window.prompt(label(textarea, "linkPrompt"), "");
      if (answer === null || !answer.trim()) {
        restoreSelection();
        return;
      }
      const url = urlFromInput(answer);
      if (!url) {
        window.alert(label(textarea, "linkRejected"));
        restoreSelection();
        return;
      }
      restoreSelection();
      const selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) {
        const text = url.startsWith("mailto:") ? url.slice("mailto:".length) : answer.trim();
        const link = '<a href="' + escapeHtml(url) + '">' + escapeHtml(text) + "</a>";
        document.execCommand("insertHTML", false, link);
      } else {
        document.execCommand("createLink", false, url);
      }
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
      // Always handled here, so that a pasted image never becomes a data: URL in the form.
      event.preventDefault();
      const fragment = html ? tidy(html) : text ? textToHtml(text) : "";
      if (fragment) document.execCommand("insertHTML", false, fragment);
      sync();
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
