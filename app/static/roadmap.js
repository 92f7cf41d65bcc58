/* The roadmap editor (app/templates/roadmap/): what htmx does not do by itself.
   - Lists marked data-sortable are ordered by drag (SortableJS, on the grip); the new order is
     posted by the list's hidden form. The ▲ ▼ buttons post without any script.
   - After ▲ ▼, the focus stays on the button pressed (htmx restores it by id), or on its twin
     when the item reached an end; a status line says the new position.
   - A refused form shows the server's message in its own alert line rather than in a toast.
   - The action form gets one more co-financing line on demand.
   - A section re-rendered by another's change keeps the fields she was typing in.
   Its words come from the page's catalog (window.Cap.t, app.js; SCRIPT_STRINGS in app/rendering.py). */
(function () {
  "use strict";

  function status(message) {
    var el = document.getElementById("rdm-status");
    if (!el) return;
    el.textContent = "";
    // A new text each time, so that a screen reader repeats an identical message.
    setTimeout(function () { el.textContent = message; }, 30);
  }

  // ---- drag ----

  function initSortables(root) {
    if (!window.Sortable) return;
    root.querySelectorAll("[data-sortable]").forEach(function (list) {
      if (list.capSortable) return;
      list.capSortable = window.Sortable.create(list, {
        handle: ".rdm-grab",
        draggable: ".rdm-item",
        animation: matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 150,
        forceFallback: true,  // the same mouse and touch handling on every browser
        fallbackTolerance: 4,
        ghostClass: "rdm-ghost",
        chosenClass: "rdm-chosen",
        dragClass: "rdm-drag",
        onEnd: function (event) {
          if (event.oldIndex === event.newIndex) return;
          var form = document.getElementById(list.dataset.orderForm);
          var ids = Array.prototype.map.call(list.querySelectorAll(":scope > .rdm-item"), function (li) {
            return li.dataset.id;
          });
          form.querySelector('input[name="ordre"]').value = ids.join(",");
          moved = { id: event.item.id, focus: null };
          form.requestSubmit();
        },
      });
    });
  }

  // ---- ▲ ▼: focus and announcement after the section is swapped ----

  var moved = null;
  var added = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (elt.classList && elt.classList.contains("rdm-move")) {
      moved = { id: elt.closest(".rdm-item").id, focus: elt.id, twin: elt.dataset.twin };
    }
    // After an add, the (new, empty) add form is ready for the next entry.
    var first = elt.matches && elt.matches("form.rdm-add") && elt.querySelector("[required]");
    added = first ? first.id : null;
    var form = elt.closest && elt.closest("form");
    var slot = form && form.querySelector("[data-form-error]");
    if (slot) { slot.hidden = true; slot.textContent = ""; }
  });

  function focusAdded() {
    var field = added && document.getElementById(added);
    added = null;
    if (!field) return;
    var closed = field.closest("details:not([open])");
    // An add form folded away once the list has items: its « Ajouter… » button instead.
    (closed ? closed.querySelector("summary") : field).focus();
  }

  document.addEventListener("htmx:afterSettle", function (e) {
    initSortables(document);
    if (added && e.detail.successful !== false && e.detail.xhr && e.detail.xhr.status < 300) focusAdded();
    if (!moved) return;
    var item = document.getElementById(moved.id);
    if (moved.focus) {
      var button = document.getElementById(moved.focus);
      if (button && button.disabled) button = document.getElementById(moved.twin);
      if (button && document.activeElement !== button) button.focus();
    }
    if (item) {
      var siblings = item.parentElement.querySelectorAll(":scope > .rdm-item");
      var index = Array.prototype.indexOf.call(siblings, item);
      status(window.Cap.t("« %(item)s » : position %(position)s sur %(count)s.",
                          { item: item.dataset.label, position: index + 1, count: siblings.length }));
    }
    moved = null;
  });

  // ---- a refused form: its message in the form ----

  function detail(xhr) {
    try { return JSON.parse(xhr.responseText).detail; } catch (err) { return xhr.responseText; }
  }

  // On the body, before app.js's toast on the document: a form with an alert line keeps the
  // message next to what has to be corrected.
  document.body.addEventListener("htmx:responseError", function (e) {
    var elt = e.detail.elt;
    var form = elt.closest && elt.closest("form");
    var slot = form && form.querySelector("[data-form-error]");
    if (!slot) return;
    slot.textContent = detail(e.detail.xhr) || window.Cap.t("Erreur %(status)s", { status: e.detail.xhr.status });
    slot.hidden = false;
    e.stopPropagation();
  });

  // ---- co-financing lines ----

  document.addEventListener("click", function (e) {
    var add = e.target.closest && e.target.closest("[data-add-cofi]");
    if (!add) return;
    var rows = add.closest("[data-cofi]").querySelectorAll("[data-cofi-row]");
    var last = rows[rows.length - 1];
    var fresh = last.cloneNode(true);
    var n = rows.length + 1;
    fresh.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.setAttribute("aria-label", input.getAttribute("aria-label").replace(/\d+/, String(n)));
    });
    last.after(fresh);
    fresh.querySelector("input").focus();
  });

  // ---- a section that another's change re-renders keeps what she is typing in it ----
  // (an enjeu added re-renders the chantiers, whose forms name the enjeux: a new chantier's title
  // half typed there stays, as does a form opened to edit one.) Fields found again by id.
  var typed = {};
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var section = e.detail.target;
    if (!section || !section.id) return;
    var values = {};
    section.querySelectorAll("input[id], textarea[id]").forEach(function (field) {
      if (field.type !== "hidden" && field.value !== field.defaultValue) values[field.id] = field.value;
    });
    typed[section.id] = values;
  });
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var section = e.detail.target;
    var values = section && typed[section.id];
    if (!values) return;
    delete typed[section.id];
    Object.keys(values).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) field.value = values[id];
    });
  });

  document.addEventListener("DOMContentLoaded", function () { initSortables(document); });
})();
