/* Priority ranking on the phone: order by drag (SortableJS, loaded only when a list is shown) or
   with the ▲ ▼ buttons (keyboard, screen reader); spread points with steppers; grade each item.
   The form's hidden "ballot" field always holds the current state, so the outbox (app.js) posts
   exactly what is shown. A draft survives the live re-renders of the page (sessionStorage). */
(function () {
  "use strict";

  var SORTABLE = "/static/vendor/Sortable-1.15.6.min.js";
  var sortableLoading = null;

  function withSortable(callback) {
    if (window.Sortable) { callback(window.Sortable); return; }
    if (!sortableLoading) {
      sortableLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = SORTABLE;
        script.onload = function () { resolve(window.Sortable); };
        script.onerror = function () { sortableLoading = null; reject(); };
        document.head.append(script);
      });
    }
    // Without SortableJS (a failed download) the ▲ ▼ buttons still order the list.
    sortableLoading.then(callback, function () {});
  }

  function draftKey(form) { return "cap-rk-draft:" + form.dataset.activityId; }
  function loadDraft(form) {
    try { return sessionStorage.getItem(draftKey(form)); } catch (e) { return null; }
  }
  function saveDraft(form, value) {
    try { sessionStorage.setItem(draftKey(form), value); } catch (e) { /* private mode */ }
  }

  function method(form) { return form.dataset.method; }
  function ranked(form) { return method(form) === "borda" || method(form) === "schulze"; }
  function rows(form, selector) { return Array.prototype.slice.call(form.querySelectorAll(selector)); }

  // ---- reading and writing the state shown ----

  function serialise(form) {
    if (ranked(form)) {
      return rows(form, ".rk-item").map(function (li) { return li.dataset.id; }).join(",");
    }
    if (method(form) === "dots") {
      return rows(form, ".rk-dot-item").map(function (li) {
        return li.dataset.id + ":" + (parseInt(li.dataset.points, 10) || 0);
      }).join(",");
    }
    return rows(form, ".rk-grade-item").map(function (fs) {
      var checked = fs.querySelector("input:checked");
      return checked ? fs.dataset.id + ":" + checked.value : null;
    }).filter(Boolean).join(",");
  }

  function pairs(text) {
    var out = {};
    (text || "").split(",").forEach(function (part) {
      var bits = part.split(":");
      if (bits.length === 2) out[bits[0]] = parseInt(bits[1], 10);
    });
    return out;
  }

  // Re-apply a draft on a freshly rendered form: items gone are skipped, new ones stay in place.
  function applyDraft(form, draft) {
    if (!draft) return;
    if (ranked(form)) {
      var list = form.querySelector("[data-rank-list]");
      var byId = {};
      rows(form, ".rk-item").forEach(function (li) { byId[li.dataset.id] = li; });
      var placed = draft.split(",").filter(function (id) { return byId[id]; });
      var rest = rows(form, ".rk-item").filter(function (li) { return placed.indexOf(li.dataset.id) < 0; });
      placed.map(function (id) { return byId[id]; }).concat(rest).forEach(function (li) { list.append(li); });
    } else if (method(form) === "dots") {
      var wanted = pairs(draft);
      var total = 0;
      Object.keys(wanted).forEach(function (id) {
        if (form.querySelector('.rk-dot-item[data-id="' + id + '"]')) total += Math.max(0, wanted[id] || 0);
      });
      if (total > budget(form)) return;
      rows(form, ".rk-dot-item").forEach(function (li) {
        li.dataset.points = String(Math.max(0, wanted[li.dataset.id] || 0));
      });
    } else {
      var grades = pairs(draft);
      rows(form, ".rk-grade-item").forEach(function (fs) {
        var value = grades[fs.dataset.id];
        fs.querySelectorAll("input").forEach(function (input) {
          input.checked = String(value) === input.value;
        });
      });
    }
  }

  function budget(form) { return parseInt(form.dataset.budget, 10) || 0; }

  function savedBallot(form) {
    var mine = document.getElementById("ballot-" + form.dataset.activityId);
    return mine ? mine : null;
  }

  // ---- refreshing what the screen says after a change ----

  function refresh(form, announce) {
    if (ranked(form)) {
      var items = rows(form, ".rk-item");
      items.forEach(function (li, index) {
        var label = li.querySelector(".rk-label").textContent;
        var where = { item: label, position: index + 1, count: items.length };
        li.querySelector(".rk-pos").textContent = index + 1;
        var up = li.querySelector('[data-move="-1"]');
        var down = li.querySelector('[data-move="1"]');
        up.disabled = index === 0;
        down.disabled = index === items.length - 1;
        up.setAttribute("aria-label", window.Cap.t("Monter « %(item)s » (position %(position)s sur %(count)s)", where));
        down.setAttribute("aria-label", window.Cap.t("Descendre « %(item)s » (position %(position)s sur %(count)s)", where));
      });
    } else if (method(form) === "dots") {
      var spent = 0;
      rows(form, ".rk-dot-item").forEach(function (li) { spent += parseInt(li.dataset.points, 10) || 0; });
      var left = budget(form) - spent;
      rows(form, ".rk-dot-item").forEach(function (li) {
        var points = parseInt(li.dataset.points, 10) || 0;
        li.querySelector(".rk-points").textContent = points;
        li.querySelector('[data-step="-1"]').disabled = points <= 0;
        li.querySelector('[data-step="1"]').disabled = left <= 0;
        li.classList.toggle("has-points", points > 0);
      });
      var remaining = form.querySelector("[data-remaining]");
      if (remaining) {
        // « Points restants : <strong>3</strong> sur 10 », the figure strong in every language.
        var parts = window.Cap.t("Points restants : <strong>%(left)s</strong> sur %(budget)s",
                                 { left: left, budget: budget(form) }).split(/<\/?strong>/);
        var strong = document.createElement("strong");
        strong.textContent = parts[1];
        remaining.replaceChildren(parts[0], strong, parts[2]);
        remaining.classList.toggle("is-empty", left === 0);
      }
      if (announce !== false) say(parts.join(""));
    } else {
      var missing = rows(form, ".rk-grade-item").filter(function (fs) { return !fs.querySelector("input:checked"); });
      var note = form.querySelector("[data-ungraded]");
      if (note) {
        note.textContent = missing.length
          ? window.Cap.t(missing.length > 1 ? "%(count)s enjeux sans mention" : "%(count)s enjeu sans mention",
                         { count: missing.length })
          : window.Cap.t("Tous les enjeux ont une mention.");
        note.classList.toggle("is-empty", missing.length === 0);
      }
    }
    var value = serialise(form);
    form.querySelector("[data-ballot]").value = value;
    if (announce !== false) saveDraft(form, value);
    markDirty(form);
  }

  function markDirty(form) {
    var dirty = form.querySelector("[data-dirty]");
    var saved = savedBallot(form);
    var differs = !saved || saved.classList.contains("is-stale") || form.dataset.saved !== form.querySelector("[data-ballot]").value;
    if (dirty) dirty.hidden = !differs || !form.dataset.touched;
  }

  // Said in the page's live region (app.js), which live re-renders never replace.
  function say(message) { window.Cap.announce(message); }

  function touched(form) { form.dataset.touched = "1"; }

  // ---- setting a form up (first load, and after every live re-render) ----

  function init(form) {
    if (form.capRanking) return;
    form.capRanking = true;
    var saved = savedBallot(form);
    // The stored ballot as the form shows it, to tell "modified, not yet validated".
    form.dataset.saved = saved && !saved.classList.contains("is-stale") ? form.querySelector("[data-ballot]").value : "";
    var draft = loadDraft(form);
    if (draft && draft !== form.dataset.saved) { applyDraft(form, draft); touched(form); }
    refresh(form, false);
    if (ranked(form)) {
      var list = form.querySelector("[data-rank-list]");
      withSortable(function (Sortable) {
        if (!list.isConnected || list.capSortable) return;
        list.capSortable = Sortable.create(list, {
          handle: ".rk-grab",
          draggable: ".rk-item",
          animation: matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 150,
          forceFallback: true,  // the same touch and mouse handling on every browser
          fallbackTolerance: 4,
          ghostClass: "rk-ghost",
          chosenClass: "rk-chosen",
          dragClass: "rk-drag",
          onEnd: function (event) {
            if (event.oldIndex === event.newIndex) return;
            touched(form);
            refresh(form);
            var label = event.item.querySelector(".rk-label").textContent;
            say(window.Cap.t("« %(item)s » : position %(position)s sur %(count)s.",
                             { item: label, position: event.newIndex + 1, count: rows(form, ".rk-item").length }));
          },
        });
      });
    }
  }

  function initAll() {
    document.querySelectorAll("form[data-rank-form]").forEach(init);
    document.querySelectorAll("[data-keep-n]").forEach(function (input) {
      if (input.capKeep) return;
      input.capKeep = true;
      input.addEventListener("input", function () {
        var button = input.form.querySelector("[data-keep-button]");
        var n = parseInt(input.value, 10);
        if (button && n > 0) button.textContent = "Garder les " + n + " premier" + (n > 1 ? "s" : "");
      });
    });
  }

  // ---- the controls ----

  document.addEventListener("click", function (e) {
    var move = e.target.closest(".rk-move");
    if (move) {
      var form = move.closest("form[data-rank-form]");
      var li = move.closest(".rk-item");
      var step = parseInt(move.dataset.move, 10);
      var sibling = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!form || !sibling) return;
      if (step < 0) sibling.before(li); else sibling.after(li);
      touched(form);
      refresh(form);
      // Moving the node blurred the button: keep the focus on it (or its twin at an end).
      var again = li.querySelector('[data-move="' + step + '"]');
      (again.disabled ? li.querySelector('[data-move="' + -step + '"]') : again).focus();
      var items = rows(form, ".rk-item");
      say(window.Cap.t("« %(item)s » : position %(position)s sur %(count)s.",
                       { item: li.querySelector(".rk-label").textContent, position: items.indexOf(li) + 1,
                         count: items.length }));
      return;
    }
    var stepButton = e.target.closest(".rk-step");
    if (stepButton) {
      var dotForm = stepButton.closest("form[data-rank-form]");
      var item = stepButton.closest(".rk-dot-item");
      var points = (parseInt(item.dataset.points, 10) || 0) + parseInt(stepButton.dataset.step, 10);
      if (points < 0) return;
      item.dataset.points = String(points);
      touched(dotForm);
      refresh(dotForm);
      if (stepButton.disabled) {
        var other = item.querySelector('[data-step="' + -parseInt(stepButton.dataset.step, 10) + '"]');
        if (other && !other.disabled) other.focus();
      }
    }
  });

  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest("form[data-rank-form]");
    if (form && e.target.matches('input[type="radio"]')) { touched(form); refresh(form); }
  });

  // Before the outbox (app.js) reads the form: the field is fresh, and the ballot shown as
  // stored is marked as the previous one until the server confirms the new one.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-rank-form]")) return;
    refresh(form, false);
    form.dataset.saved = form.querySelector("[data-ballot]").value;
    delete form.dataset.touched;
    markDirty(form);
    var previous = savedBallot(form);
    if (previous) {
      previous.classList.add("is-superseded");
      var sent = previous.querySelector(".sent");
      if (sent) sent.textContent = window.Cap.t("bulletin précédent (compte jusqu'à l'enregistrement du nouveau)");
    }
  }, true);

  // The server's answer replaces the pending entry: the form is no longer "modified".
  new MutationObserver(function () {
    document.querySelectorAll("form[data-rank-form]").forEach(markDirty);
  }).observe(document.documentElement, { childList: true, subtree: true });

  // ---- the board: the whole order on the projected screen ----

  var MIN_SCALE = 0.6;
  function fitRanking() {
    var main = document.getElementById("board-main");
    var results = main && main.querySelector(".rk-board");
    if (!results) return;
    var overflowing = function () {
      return main.scrollHeight > main.clientHeight + 1 || results.scrollHeight > results.clientHeight + 1;
    };
    var scale = 1;
    results.style.setProperty("--rk-scale", scale);
    while (scale > MIN_SCALE && overflowing()) {
      scale = Math.max(MIN_SCALE, Math.round((scale - 0.05) * 100) / 100);
      results.style.setProperty("--rk-scale", scale);
    }
  }
  window.addEventListener("resize", fitRanking);

  function refreshAll() { initAll(); fitRanking(); }
  document.addEventListener("htmx:wsAfterMessage", refreshAll);
  document.addEventListener("htmx:afterSwap", refreshAll);
  document.addEventListener("DOMContentLoaded", function () {
    refreshAll();
    if (document.fonts) document.fonts.ready.then(fitRanking);
  });
})();
