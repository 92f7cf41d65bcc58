/* Chantier table (and shared helpers for editors that check versions: the resource map uses them).
   - A stale edit answers 409 with the current version to merge: swap it in (htmx does not swap
     error responses by default), only when the server marks it so (X-Cap-Conflict).
   - The editor sheet: close, take the current version of a cell, warn when the row moved on.
   - The projected table shrinks its cards, then drops details, until every section fits. */
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (xhr.status === 409 && xhr.getResponseHeader("X-Cap-Conflict") === "stale" &&
        elt && elt.closest && elt.closest("[data-swap-conflict]")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // An edit sends only the cells she changed (plus, after a conflict, the ones she is merging):
  // the cells she left alone are not hers to restore over someone else's newer text.
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt;
    if (!form.matches || !form.matches("form[data-swap-conflict]") || !form.dataset.row) return;
    form.querySelectorAll("[name^='cell_']").forEach(function (field) {
      if (!field.hasAttribute("data-dirty") && field.value === field.defaultValue) {
        delete e.detail.parameters[field.name];
      }
    });
  });

  // Other refusals (too long, closed activity…) keep her text and say why, in the editor itself.
  document.addEventListener("htmx:responseError", function (e) {
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    var form = elt && elt.closest && elt.closest("[data-swap-conflict]");
    var box = form && form.querySelector("[data-editor-error]");
    if (!box) return;
    var text = e.detail.xhr.responseText;
    try { text = JSON.parse(text).detail || text; } catch (err) { /* plain text */ }
    box.textContent = window.Cap.t("Non enregistré : %(reason)s", { reason: text });
    box.hidden = false;
    var saved = form.querySelector("[data-saved]");
    if (saved) saved.remove();
  });
  document.addEventListener("htmx:sendError", function (e) {
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    var form = elt && elt.closest && elt.closest("[data-swap-conflict]");
    var box = form && form.querySelector("[data-editor-error]");
    if (!box) return;
    box.textContent = window.Cap.t("Non enregistré : le serveur ne répond pas. Votre texte est gardé ici ; réessayez.");
    box.hidden = false;
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    var box = form && form.querySelector && form.querySelector("[data-editor-error]");
    if (box) box.hidden = true;
  });
  // Typing again after a save: the "✓ enregistré" no longer describes what is on screen.
  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("[data-swap-conflict]");
    var saved = form && form.querySelector("[data-saved]");
    if (saved) saved.remove();
  });

  document.addEventListener("click", function (e) {
    var close = e.target.closest && e.target.closest("[data-close-sheet]");
    if (close) {
      var holder = close.closest("[data-sheet], #ctl-editor");
      var form = close.closest("form");
      if (holder && holder.matches("[data-sheet]")) holder.replaceChildren();
      else if (form) form.remove();
      return;
    }
    var take = e.target.closest && e.target.closest("[data-take]");
    if (take) {
      var field = document.getElementById(take.dataset.take);
      if (field) { field.value = take.dataset.text || ""; field.focus(); }
    }
  });

  // A sheet just filled by a response: bring it into view, focus its first empty field.
  document.addEventListener("htmx:afterSwap", function (e) {
    var sheet = e.detail.target;
    if (!sheet || !sheet.matches || !sheet.matches("[data-sheet]")) return;
    sheet.scrollTop = 0;
    var alert = sheet.querySelector("[data-conflict]");
    if (alert) alert.scrollIntoView({ block: "nearest" });
    else if (!sheet.querySelector("[data-saved]")) {
      var first = sheet.querySelector("input:not([type=hidden]), textarea");
      if (first) first.focus({ preventScroll: true });
    }
    staleHints();
  });

  // The row being edited was saved by someone else (a live refresh shows a newer version).
  function staleHints() {
    document.querySelectorAll("[data-sheet] form[data-row]").forEach(function (form) {
      var id = form.dataset.row;
      var mine = form.querySelector("[data-version]");
      var card = id && document.getElementById("tbl-row-" + id);
      var hint = form.querySelector("[data-stale-hint]");
      if (!mine || !card || !hint) return;
      hint.hidden = !(parseInt(card.dataset.version, 10) > parseInt(mine.value, 10));
    });
  }

  document.addEventListener("htmx:wsAfterMessage", function () {
    staleHints();
    fitTable();
  });

  // ---- the projected table ----
  // One text size for the whole table (from 1 down to 0.72); at each size, every enjeu shows as
  // much of its chantiers as fits: three cells, one, then titles only.
  var SCALES = [1, 0.9, 0.8, 0.72];
  var DENSITIES = ["full", "brief", "titles"];
  function fitTable() {
    var table = document.querySelector(".board .tbl-board");
    if (!table) return;
    var sections = Array.prototype.slice.call(table.querySelectorAll(".tbl-bsec"));
    var over = function (section) {
      var body = section.querySelector(".tbl-bsec-body");
      return body && body.scrollHeight > body.clientHeight + 1;
    };
    var allFit = false;
    for (var i = 0; i < SCALES.length && !allFit; i++) {
      table.style.setProperty("--tbl-scale", SCALES[i]);
      allFit = true;
      sections.forEach(function (section) {
        for (var d = 0; d < DENSITIES.length; d++) {
          section.dataset.density = DENSITIES[d];
          if (!over(section)) return;
        }
        allFit = false;
      });
    }
    sections.forEach(function (section) {
      section.querySelector(".tbl-bsec-body").classList.toggle("is-clipped", over(section));
    });
  }
  window.addEventListener("resize", fitTable);
  document.addEventListener("DOMContentLoaded", function () {
    fitTable();
    if (document.fonts) document.fonts.ready.then(fitTable);
  });
})();
