/* The speech page's controls: copy a paragraph's link, the cite box, the original-text toggle.
   Progressive enhancement: without this script every link, anchor and form still works;
   the buttons it needs are rendered hidden and shown here. No framework. */
(function () {
  "use strict";
  var article = document.querySelector("article.speech");
  if (!article) return;
  var PARAGRAPH = /^#(p\d+)$/;

  // This page's own permanent address: a copy's canonical link names its original,
  // whose paragraphs are numbered otherwise, so a paragraph's link is never built on it.
  function permalink() {
    var own = document.querySelector('meta[property="og:url"]');
    return own ? own.content : location.href.split("#")[0].split("?")[0];
  }

  function selectedParagraph() {
    var match = PARAGRAPH.exec(location.hash);
    return match && document.getElementById(match[1]) ? match[1] : "";
  }

  // navigator.clipboard needs a secure context; the textarea fallback covers plain http.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  // On a phone the facts and the table of contents start closed, so the text itself
  // begins on the first screen; without this script they stay open.
  if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
    document.querySelectorAll("details[data-close-narrow]").forEach(function (details) { details.open = false; });
  }

  // The page's live region (templates/base.html) reads confirmations to screen readers.
  function announce(text) {
    var region = document.getElementById("announce");
    if (!region) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }

  function flash(button, text) {
    announce(text);
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = text;
    setTimeout(function () { button.textContent = label; }, 2000);
  }

  function setUpCopyLinks() {
    article.querySelectorAll("button.copy-link").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var anchor = button.getAttribute("data-anchor");
        var url = permalink() + "#" + anchor;
        // The copied link is also kept on the button, for people (and tests) to see.
        button.setAttribute("data-copied", url);
        if (location.hash !== "#" + anchor) history.replaceState(null, "", "#" + anchor);
        selectParagraph();
        copyText(url).then(function (ok) {
          button.setAttribute("data-state", ok ? "copied" : "failed");
          announce(ok ? "已复制第" + anchor.slice(1) + "段的链接" : "复制失败，请手动复制地址栏");
          setTimeout(function () { button.removeAttribute("data-state"); }, 2000);
        });
      });
    });
  }

  function setUpCiteCopy() {
    article.querySelectorAll("button.copy-cite").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var pre = article.querySelector('pre.cite-text[data-format="' + button.getAttribute("data-format") + '"]');
        copyText(pre.textContent).then(function (ok) { flash(button, ok ? "已复制" : "复制失败"); });
      });
    });
  }

  function updateCitations(paragraph) {
    var url = article.getAttribute("data-citation-url") + (paragraph ? "?paragraph=" + paragraph : "");
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        ["gbt7714", "bibtex", "ris"].forEach(function (format) {
          var pre = article.querySelector('pre.cite-text[data-format="' + format + '"]');
          if (pre) pre.textContent = data[format];
        });
        var scope = article.querySelector(".cite-scope");
        if (scope) scope.textContent = paragraph ? "（第" + paragraph.slice(1) + "段）" : scope.getAttribute("data-whole");
      });
  }

  var current = null;
  function selectParagraph() {
    var paragraph = selectedParagraph();
    if (paragraph === current) return;
    current = paragraph;
    var field = article.querySelector('.bookmark-form input[name="paragraph"]');
    if (field) field.value = paragraph;
    updateCitations(paragraph);
  }

  function setUpOriginalToggle() {
    var reading = article.querySelector(".reading");
    var original = article.querySelector("details.original");
    if (!reading || !original) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "toggle-original";
    button.setAttribute("aria-pressed", "false");
    button.textContent = "对照来源原文";
    button.addEventListener("click", function () {
      var on = !reading.classList.contains("side-by-side");
      reading.classList.toggle("side-by-side", on);
      original.open = on;
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? "关闭原文对照" : "对照来源原文";
    });
    article.querySelector(".speech-tools").appendChild(button);
    // The lost-characters notice points at the original: open it on the way there.
    article.querySelectorAll('a[href="#original"]').forEach(function (link) {
      link.addEventListener("click", function () {
        original.open = true;
      });
    });
  }

  setUpCopyLinks();
  setUpCiteCopy();
  setUpOriginalToggle();
  window.addEventListener("hashchange", selectParagraph);
  if (selectedParagraph()) selectParagraph();
})();
