/* Rating on two axes.
   Phone: each tap is kept in localStorage until the server has stored it (one pending answer per
   item and axis: a later tap replaces an unsent one, so only the last choice is sent, in order);
   a 429 or 503 holds every send for its Retry-After, and the cards say so in the server's words.
   The card shows « ✓ enregistré » only from the server's answer, which replaces the card.
   Board and control page: the results table sorts by number, each axis and spread; the board's
   table shrinks a little, then pages, when it would overflow the projected screen. */
(function () {
  "use strict";

  // ---- Phone: pending ratings -------------------------------------------------------------
  var STORE = "cap-rating:" + location.pathname;
  var flushing = false;
  // Until then the server asked for no more sends (a 429's or a 503's Retry-After), and said why.
  var holdUntil = 0;
  var held = "";
  var snapshots = {};  // card id → the server's card, restored if a tap is refused
  // card id → why its last tap was refused: said again after every live re-render of the cards,
  // until the participant taps that card again.
  var refusals = {};

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(map) {
    try { localStorage.setItem(STORE, JSON.stringify(map)); } catch (e) { /* private mode */ }
  }
  function detail(text) {
    try { return JSON.parse(text).detail || text; } catch (e) { return text; }
  }
  function cardOf(entry) {
    var card = document.getElementById("rate-item-" + entry.fields.item);
    var section = card && card.closest("[data-activity]");
    return section && section.dataset.activity === String(entry.activity) ? card : null;
  }
  function setStatus(card, text, state) {
    var status = card.querySelector("[data-rate-status]");
    if (status) status.textContent = text;
    card.classList.toggle("is-sending", state === "sending");
    card.classList.toggle("is-failed", state === "failed");
    if (state) card.classList.remove("is-done");
  }
  function offlineText() {
    if (!navigator.onLine) return window.Cap.t("hors ligne — envoi dès le retour du réseau");
    return Date.now() < holdUntil ? held : window.Cap.t("en cours d'envoi…");
  }

  function showPending(entry, message) {
    var card = cardOf(entry);
    if (!card) return;
    if (!snapshots[card.id]) snapshots[card.id] = card.cloneNode(true);
    var form = card.querySelector('form[data-axis="' + CSS.escape(entry.fields.axis) + '"]');
    if (!form) return;
    form.querySelectorAll('button[name="value"]').forEach(function (button) {
      var on = button.value === entry.fields.value;
      button.classList.toggle("is-pending", on);
      button.classList.toggle("is-chosen", false);
      button.setAttribute("aria-checked", on ? "true" : "false");
      button.tabIndex = on ? 0 : -1;
    });
    setStatus(card, message || offlineText(), "sending");
  }

  function showAllPending(message) {
    var map = load();
    Object.keys(map).forEach(function (key) { showPending(map[key], message); });
  }

  // The server's fragments (the card, the progress) replace the elements with the same id.
  function apply(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    Array.prototype.slice.call(tpl.content.children).forEach(function (fresh) {
      var shown = fresh.id && document.getElementById(fresh.id);
      if (shown) {
        delete snapshots[fresh.id];
        shown.replaceWith(fresh);
      }
    });
  }

  function refused(entry, message) {
    var card = cardOf(entry);
    if (!card) return;
    var before = snapshots[card.id];
    if (before) {
      // A copy of the nodes, not their HTML: re-parsing it would trip the CSP on any style
      // attribute the browser added meanwhile.
      delete snapshots[card.id];
      card.replaceWith(before);
      card = cardOf(entry);
    }
    if (card) {
      refusals[card.id] = window.Cap.t("refusé : %(reason)s", { reason: message });
      setStatus(card, refusals[card.id], "failed");
    }
  }

  function showRefusals() {
    Object.keys(refusals).forEach(function (id) {
      var card = document.getElementById(id);
      if (card) setStatus(card, refusals[id], "failed");
    });
  }

  async function flush() {
    if (flushing || Date.now() < holdUntil) return;
    flushing = true;
    try {
      for (;;) {
        var map = load();
        var key = Object.keys(map)[0];
        if (!key) return;
        var entry = map[key];
        var response;
        try {
          response = await fetch(entry.url, {
            method: "POST", credentials: "same-origin", headers: { "Accept": "text/html" },
            body: new URLSearchParams(entry.fields),
          });
        } catch (e) {
          showAllPending(window.Cap.t("hors ligne — envoi dès le retour du réseau"));
          return;
        }
        var wait = window.Cap.retryAfter(response);
        if (wait) {
          held = await window.Cap.keptFor(response, wait);
          holdUntil = Date.now() + wait * 1000;
          showAllPending();
          setTimeout(flush, wait * 1000);
          return;
        }
        var body = await response.text();
        map = load();
        // Tapped again meanwhile: keep the newer choice, it is sent next.
        var same = map[key] && map[key].fields.value === entry.fields.value;
        if (same) {
          delete map[key];
          save(map);
        }
        if (response.ok) {
          window.Cap.keepFocus(function () { apply(body); });
          stickProgress();
          window.Cap.announce(window.Cap.t("enregistré"));
        }
        else if (same) window.Cap.keepFocus(function () { refused(entry, detail(body) || window.Cap.t("erreur %(status)s", { status: response.status })); });
        showAllPending();
      }
    } finally {
      flushing = false;
    }
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-rate]")) return;
    e.preventDefault();
    if (!e.submitter || e.submitter.disabled) return;
    var fields = Object.fromEntries(new FormData(form, e.submitter));
    var section = form.closest("[data-activity]");
    var entry = { url: form.action, fields: fields, activity: section ? section.dataset.activity : "" };
    var map = load();
    map[entry.activity + ":" + fields.item + ":" + fields.axis] = entry;
    save(map);
    delete refusals["rate-item-" + fields.item];
    showPending(entry);
    flush();
  });

  // Each axis of a card is a radio group: one Tab stop, and the arrow keys move to the previous or
  // next value and choose it, as a native radio group does (the choice is sent like a tap).
  var ARROWS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  document.addEventListener("keydown", function (e) {
    var step = ARROWS[e.key];
    var button = step && e.target.closest && e.target.closest('[data-rate] [role="radio"]');
    if (!button || button.disabled || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    var all = Array.prototype.slice.call(button.form.querySelectorAll('[role="radio"]'));
    var next = all[(all.indexOf(button) + step + all.length) % all.length];
    all.forEach(function (radio) { radio.tabIndex = radio === next ? 0 : -1; });
    next.focus();
    button.form.requestSubmit(next);
  });

  document.addEventListener("htmx:wsOpen", flush);
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { showAllPending(); });
  setInterval(function () { if (Object.keys(load()).length) flush(); }, 4000);

  // ---- Results table: sorting ---------------------------------------------------------------
  var SORTS = "cap-rating-sort";

  function sortState(id) {
    try { return JSON.parse(sessionStorage.getItem(SORTS + ":" + id) || "null"); } catch (e) { return null; }
  }
  function value(row, key) {
    var raw = key === "num" ? row.dataset.num : row.getAttribute("data-sort-" + key);
    return raw === null || raw === "" ? null : parseFloat(raw);
  }
  function applySort(results) {
    var table = results.querySelector("table[data-rate-table]");
    var state = sortState(results.dataset.rateResults);
    if (!table || !state) return;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.dataset.num; });
    rows.sort(function (a, b) {
      var x = value(a, state.key), y = value(b, state.key);
      if (x === null || y === null) {
        if (x === y) return value(a, "num") - value(b, "num");
        return x === null ? 1 : -1;  // no figure: last, whatever the direction
      }
      var d = state.dir === "asc" ? x - y : y - x;
      return d || value(a, "num") - value(b, "num");
    });
    rows.forEach(function (r) { body.append(r); });
    results.querySelectorAll("[data-sort]").forEach(function (button) {
      var on = button.dataset.sort === state.key;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) button.dataset.dir = state.dir; else delete button.dataset.dir;
    });
    table.querySelectorAll("th[data-sort-head]").forEach(function (th) {
      if (th.dataset.sortHead === state.key) {
        th.setAttribute("aria-sort", state.dir === "asc" ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }
  function sortAll() {
    document.querySelectorAll("[data-rate-results]").forEach(applySort);
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-rate-results] [data-sort]");
    if (!button) return;
    var results = button.closest("[data-rate-results]");
    var key = button.dataset.sort;
    var current = button.getAttribute("aria-pressed") === "true" ? button.dataset.dir : null;
    var dir = current ? (current === "desc" ? "asc" : "desc") : (key === "num" ? "asc" : "desc");
    try {
      sessionStorage.setItem(SORTS + ":" + results.dataset.rateResults, JSON.stringify({ key: key, dir: dir }));
    } catch (err) { /* private mode: this page only */ }
    applySort(results);
    fitBoard(true);
  });

  // ---- Board: the table stays on the projected screen, in letters still read from afar; a long
  // one pages through its rows (app.js's capBoardPages), from the first after a new sort.
  function fitBoard(fromStart) {
    var board = document.querySelector(".board .rate-board");
    var main = document.getElementById("board-main");
    if (!board || !main) return;
    var minScale = board.classList.contains("is-dense") ? 0.87 : 0.8;
    var side = board.querySelector(".rate-side");
    var results = side && side.querySelector(".rate-results");
    var rows = results ? Array.prototype.slice.call(results.querySelectorAll(".rate-table tbody tr")) : [];
    rows.forEach(function (row) { row.classList.remove("off-page"); });
    var scale = 1;
    board.style.setProperty("--rate-scale", scale);
    var over = function () {
      return main.scrollHeight > main.clientHeight + 1 ||
        (rows.length && rows[rows.length - 1].getBoundingClientRect().bottom >
          results.getBoundingClientRect().bottom + 1);
    };
    while (scale > minScale && over()) {
      scale = Math.max(minScale, scale - 0.04);
      board.style.setProperty("--rate-scale", scale);
    }
    if (results && window.capBoardPages) {
      if (fromStart === true) results.capPage = 0;
      window.capBoardPages(results, rows, results, side.querySelector("[data-pages]"), false);
    }
  }

  // A crowded matrix draws an item's spread ellipse only while its marker or table row is pointed at.
  document.addEventListener("mouseover", function (e) {
    var target = e.target.closest && e.target.closest(".rate-board.is-dense [data-number], .rate-board.is-dense tr[data-num]");
    var board = target && target.closest(".rate-board");
    if (!board) return;
    var number = target.dataset.number || target.dataset.num;
    board.querySelectorAll(".rate-spread").forEach(function (ellipse) {
      ellipse.classList.toggle("is-pointed", ellipse.dataset.number === number);
    });
  });

  // ---- Phone: the progress bar sticks right under the header, whatever its height (offline: two lines)
  function stickProgress() {
    var head = document.querySelector(".phone-head");
    if (!head) return;
    // On <html>, never swapped: htmx copies the style attribute of swapped elements that keep
    // their id, which the strict CSP refuses.
    document.documentElement.style.setProperty(
      "--rate-sticky-top", Math.ceil(head.getBoundingClientRect().height) + "px");
  }
  if (window.ResizeObserver) {
    document.addEventListener("DOMContentLoaded", function () {
      var head = document.querySelector(".phone-head");
      if (head) new ResizeObserver(stickProgress).observe(head);
    });
  }

  // ---- Phone, easy-read (FALC) mode: one item a screen, « Idée 2 sur 8 », kept across re-renders.
  function easyList() {
    var list = document.querySelector(".easy [data-rate-list]");
    var pager = document.querySelector("[data-easy-pager]");
    var section = list && list.closest("[data-activity]");
    return list && pager && section ? { list: list, pager: pager, key: "cap-easy:" + section.dataset.activity } : null;
  }
  function easyAt(easy) {
    var at = Number(sessionStorage.getItem(easy.key) || 0);
    return Math.max(0, Math.min(easy.list.children.length - 1, at));
  }
  function easyPage() {
    var easy = easyList();
    if (!easy) return;
    var cards = Array.prototype.slice.call(easy.list.children);
    var at = easyAt(easy);
    cards.forEach(function (card, i) { card.hidden = i !== at; });
    easy.pager.querySelector("[data-easy-where]").textContent =
      window.Cap.t("Idée %(number)s sur %(count)s", { number: at + 1, count: cards.length });
    easy.pager.querySelector('[data-easy-step="-1"]').disabled = at === 0;
    easy.pager.querySelector('[data-easy-step="1"]').disabled = at === cards.length - 1;
  }
  function easyGo(easy, at) {
    try { sessionStorage.setItem(easy.key, String(at)); } catch (e) { /* private mode */ }
    easyPage();
    var card = easy.list.children[easyAt(easy)];
    if (card) window.Cap.announce(window.Cap.t("Idée %(number)s sur %(count)s : %(item)s", {
      number: easyAt(easy) + 1, count: easy.list.children.length, item: card.querySelector(".rate-label").textContent }));
  }
  document.addEventListener("click", function (e) {
    var easy = easyList();
    if (!easy || !e.target.closest) return;
    var step = e.target.closest("[data-easy-step]");
    // « Suivant à noter ↓ » leads to an item: in this mode, to its screen.
    var link = e.target.closest('a[href^="#rate-item-"]');
    if (step) {
      easyGo(easy, easyAt(easy) + Number(step.dataset.easyStep));
    } else if (link) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      var index = Array.prototype.indexOf.call(easy.list.children, target);
      if (index >= 0) { e.preventDefault(); easyGo(easy, index); }
    }
  });
  document.addEventListener("htmx:afterSwap", easyPage);

  function refresh() {
    easyPage();
    snapshots = {};  // the cards were just re-rendered from the server: that is the state to restore
    stickProgress();
    sortAll();
    fitBoard();
    showRefusals();
    showAllPending();
  }
  document.addEventListener("htmx:wsAfterMessage", refresh);
  window.addEventListener("resize", function () { fitBoard(false); });
  document.addEventListener("DOMContentLoaded", function () {
    refresh();
    if (document.fonts) document.fonts.ready.then(function () { fitBoard(false); });
    if (Object.keys(load()).length) flush();
  });
})();
