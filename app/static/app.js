/* Cap Partagé: connection status, the participant's outbox, small UI helpers.
   No framework: htmx does the swaps, this file only adds what htmx does not. */
(function () {
  "use strict";

  // The page's words in its language: the catalog the server writes into the page (base.html,
  // #cap-strings, empty in French), keyed by the French text; `%(name)s` filled from `params`.
  var strings = JSON.parse((document.getElementById("cap-strings") || {}).textContent || "{}");
  function t(key, params) {
    return (strings[key] || key).replace(/%\((\w+)\)s/g, function (_all, name) { return params[name]; });
  }

  // Reconnect quickly in a room (the default backoff grows to a minute).
  htmx.config.wsReconnectDelay = function (retry) {
    return 250 + Math.random() * Math.min(8000, 500 * Math.pow(2, retry));
  };

  function setStatus(root, online) {
    root.querySelectorAll("[data-conn-status]").forEach(function (el) {
      el.textContent = online ? t("en direct") : t("connexion perdue — reconnexion…");
      el.classList.toggle("is-online", online);
      el.classList.toggle("is-offline", !online);
    });
    document.body.classList.toggle("offline", !online);
  }

  // The socket's last known state: a network blip fires "offline" then "online" while the
  // socket may survive it, and no new "open" event will come to say the page is live again.
  var socketOpen = false;
  document.addEventListener("htmx:wsOpen", function (e) {
    // The joining socket names its participant by the token drawn, at each (re)connection.
    if (drawn && e.target === joinSocket) e.detail.socketWrapper.send(drawn);
    if (joining) return;
    socketOpen = true; setStatus(document, true); saidOnline(true); flush();
  });
  document.addEventListener("htmx:wsClose", function (e) {
    socketOpen = false; setStatus(document, false); saidOnline(false);
    // 4401: the facilitator's session ended (logout elsewhere, password changed, expired): log in
    // again instead of reconnecting.
    if (e.detail && e.detail.event && e.detail.event.code === 4401) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    }
  });
  // The facilitator changed the board's language: the board reloads, the whole page in it.
  document.addEventListener("htmx:wsAfterMessage", function () {
    var board = document.querySelector(".board #board-main[data-language]");
    if (board && board.dataset.language !== document.documentElement.lang) window.location.reload();
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (joining) joined();
    stampTimers(); arrangeModeration(); restorePending(); restoreDrafts(); updateCounters(); highlightNewNotes(); fitBoard(); fitSlide();
  });

  // ---- Joining in one round trip (participant/join.html; app.routes.board._joining) ----------
  // The phone draws its participant token, posts it with the form and sends it as its socket's
  // first message, all at once, and stays on the page: on a slow network, where a request costs
  // seconds, it is live after one round trip instead of three (POST, its redirect, the socket).
  var drawn = null;  // the token drawn
  var joinSocket = null;  // the element of the socket opened with the form
  var joining = false;  // until the first push shows the workshop
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var frame = form.matches && form.matches("[data-join-form]") && form.closest("[data-join-socket]");
    if (!frame || e.defaultPrevented || !window.fetch || !window.crypto || !window.crypto.getRandomValues) return;
    e.preventDefault();
    if (joining) return;
    var bytes = window.crypto.getRandomValues(new Uint8Array(32));
    drawn = btoa(String.fromCharCode.apply(null, bytes))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    joining = true;
    var body = new FormData(form);
    body.append("cle", drawn);
    var socket = joinSocket = document.createElement("div");
    socket.setAttribute("ws-connect", frame.dataset.joinSocket);
    frame.appendChild(socket);
    htmx.process(socket);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status !== 204) throw new Error("join answered " + response.status);
        history.replaceState(null, "", frame.dataset.joinPage);
      })
      .catch(function () {
        // The plain way: the form sent again, and the server's answer shown as a page (a refusal
        // in her words, or the workshop she is already in).
        socket.remove();
        joining = false; drawn = joinSocket = null;
        form.submit();
      });
  });
  function joined() {
    joining = false;
    document.querySelectorAll(".phone-head[hidden]").forEach(function (head) { head.hidden = false; });
    socketOpen = true; setStatus(document, true); saidOnline(true); flush();
  }

  // ---- What changed, said once in the page's polite live region (never swapped itself). ----
  function announce(message) {
    var region = document.querySelector("[data-announcer]");
    if (region) region.textContent = message;
  }
  // A lost connection is said once, and its return once (the socket's close and the browser's
  // "offline" often both come for one loss).
  var wasOnline = null;
  function saidOnline(online) {
    if (wasOnline === false && online) announce(t("reconnecté"));
    if (wasOnline === true && !online) announce(t("connexion perdue"));
    if (online || wasOnline !== null) wasOnline = online;
  }
  // The step shown changed (a push, the facilitator's own click): say so, and name the tab after it.
  var shownStep = null;
  function noticeStep() {
    var live = document.querySelector("[data-step-label]");
    if (!live) return;
    var label = live.dataset.stepLabel;
    if (live.dataset.pageTitle) document.title = live.dataset.pageTitle;
    if (shownStep !== null && label && label !== shownStep) announce(label);
    shownStep = label;
  }
  // The restitution published while the phone is open: said once (its link shows at the top).
  var restitutionShown = null;
  function noticeRestitution() {
    var offered = Boolean(document.querySelector("[data-restitution]"));
    if (restitutionShown === false && offered) announce(t("restitution de l'atelier publiée"));
    restitutionShown = offered;
  }
  document.addEventListener("DOMContentLoaded", noticeRestitution);
  // Results revealed while the phone is open: scroll them into view, once per activity.
  var resultsSeen = new Set();
  function noticeResults(scroll) {
    var results = document.querySelector("#p-activity [data-results]");
    var activity = results && results.closest("[data-activity]").dataset.activity;
    if (!results || resultsSeen.has(activity)) return;
    resultsSeen.add(activity);
    if (scroll) results.scrollIntoView({ block: "start" });
  }

  // ---- The facilitator's list of post-its, sorted and filtered in the page (pushes re-render
  // it: the field and the menu are kept by hx-preserve, and applied again after each swap). A
  // note ticked for a merge stays shown whatever the filter. ----
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function arrangeModeration() {
    var list = document.querySelector("[data-mod-list]");
    var filter = document.querySelector("[data-mod-filter]");
    var sort = document.querySelector("[data-mod-sort]");
    if (!list || !filter || !sort) return;
    var words = folded(filter.value.trim());
    var items = Array.prototype.slice.call(list.children);
    var key = {
      arrival: function (li) { return [Number(li.dataset.order)]; },
      category: function (li) { return [folded(li.dataset.category), Number(li.dataset.order)]; },
      text: function (li) { return [folded(li.querySelector(".note-text").textContent)]; },
    }[sort.value] || function (li) { return [Number(li.dataset.order)]; };
    items.sort(function (a, b) {
      var ka = key(a), kb = key(b);
      for (var i = 0; i < ka.length; i++) { if (ka[i] < kb[i]) return -1; if (ka[i] > kb[i]) return 1; }
      return 0;
    });
    var shown = 0;
    items.forEach(function (li) {
      var ticked = li.querySelector("input[type=checkbox]:checked");
      li.hidden = Boolean(words) && !ticked && folded(li.querySelector(".note-text").textContent).indexOf(words) < 0;
      if (!li.hidden) shown += 1;
      list.appendChild(li);
    });
    var count = document.querySelector("[data-mod-count]");
    if (count) count.textContent = words ? shown + " sur " + items.length : "";
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("[data-mod-filter], [data-mod-sort]")) arrangeModeration();
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-mod-sort]")) arrangeModeration();
  });

  // ---- Focus kept across swaps: htmx keeps it by id for its own requests, not for the
  // WebSocket's swaps, and most controls have no id. Found again: the element itself (an
  // hx-preserve field, moved), the same id, the same kind of control at the same place under the
  // same keyed ancestor, the same name and value, else the heading of the step. ----
  var FOCUS_KEYS = ["type", "name", "value", "hx-post", "hx-get", "data-move", "data-step", "data-sort"];
  function focusKey(el) {
    return el.tagName + FOCUS_KEYS.map(function (a) { return "|" + (el.getAttribute(a) || ""); }).join("");
  }
  function alike(scope, key, tag) {
    return Array.prototype.filter.call(scope.querySelectorAll(tag), function (c) { return focusKey(c) === key; });
  }
  function anchorSelector(anchor) {
    if (!anchor) return null;
    return anchor.id ? "#" + CSS.escape(anchor.id) : '[data-id="' + CSS.escape(anchor.dataset.id) + '"]';
  }
  function activityOf(el) {
    var section = el.closest("[data-activity]");
    return section ? section.dataset.activity : null;
  }
  function focusSpot() {
    var el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    var anchor = el.parentElement && el.parentElement.closest("[id], [data-id]");
    var key = focusKey(el);
    return {
      el: el, id: el.id, key: key, activity: activityOf(el), anchor: anchorSelector(anchor),
      index: alike(anchor || document, key, el.tagName).indexOf(el),
      start: el.selectionStart, end: el.selectionEnd,
    };
  }
  function usable(el, spot) {
    return el && !el.disabled && el.getClientRects().length > 0 && activityOf(el) === spot.activity;
  }
  function findAgain(spot) {
    if (spot.el.isConnected) return spot.el;
    var same = spot.id && document.getElementById(spot.id);
    if (usable(same, spot)) return same;
    var anchor = spot.anchor && document.querySelector(spot.anchor);
    if (anchor) {
      var there = alike(anchor, spot.key, spot.el.tagName);
      var at = there[Math.min(spot.index, there.length - 1)];
      if (usable(at, spot)) return at;
    }
    if (spot.el.name) {
      var named = alike(document, spot.key, spot.el.tagName).filter(function (c) { return usable(c, spot); });
      if (named.length) return named[0];
    }
    return document.querySelector("[data-focus-home]");
  }
  function restoreFocus(spot) {
    var active = document.activeElement;
    if (!spot || active === spot.el) return;
    // Placed elsewhere on purpose meanwhile (a sheet focusing its first field): leave it there.
    if (active && active !== document.body && active.isConnected) return;
    var el = findAgain(spot);
    if (!el) return;
    el.focus({ preventScroll: true });
    if (el.id === spot.id && spot.start !== null && spot.start !== undefined) {
      try { el.setSelectionRange(spot.start, spot.end); } catch (err) { /* not a text field */ }
    }
  }
  // For the kinds that replace elements themselves (rating.js).
  function keepFocus(change) {
    var spot = focusSpot();
    change();
    restoreFocus(spot);
  }

  var wsSpot = null;
  document.addEventListener("htmx:wsBeforeMessage", function () { wsSpot = focusSpot(); });
  // After every other handler of the message (the kinds re-apply drafts, which moves elements).
  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("htmx:wsAfterMessage", function () {
      restoreFocus(wsSpot);
      wsSpot = null;
      noticeStep();
      noticeResults(true);
      noticeRestitution();
    });
  });
  var swapSpot = null;
  var savedSwap = false;
  document.addEventListener("htmx:beforeSwap", function (e) {
    swapSpot = focusSpot();
    var xhr = e.detail.xhr;
    savedSwap = e.detail.shouldSwap && e.detail.requestConfig && e.detail.requestConfig.verb === "post" &&
      /\bdata-saved\b/.test(xhr.responseText);
  });
  // Not afterSettle: htmx fires it on the element that made the request, which an outerHTML swap
  // has just detached (its events no longer reach the document).
  document.addEventListener("htmx:afterSwap", function () {
    stampTimers(); arrangeModeration();
    restoreFocus(swapSpot);
    swapSpot = null;
    noticeStep();
    if (savedSwap) announce(t("enregistré"));
    savedSwap = false;
  });

  // The board re-renders whole columns; only notes never seen before get the arrival animation.
  var seenNotes = null;
  function highlightNewNotes() {
    var notes = document.querySelectorAll(".board .note[id]");
    var first = seenNotes === null;
    seenNotes = seenNotes || new Set();
    notes.forEach(function (note) {
      if (!seenNotes.has(note.id)) {
        seenNotes.add(note.id);
        if (!first) note.classList.add("fresh");
      }
    });
  }
  // The board's join code is read from the back of the room: the CSS makes it large, this
  // shrinks it just enough when its letters are wide (W, M) to stay inside its column.
  function fitJoinCode() {
    document.querySelectorAll("[data-join-code]").forEach(function (el) {
      el.style.fontSize = "";
      if (el.scrollWidth > el.clientWidth) {
        var size = parseFloat(getComputedStyle(el).fontSize);
        el.style.fontSize = Math.floor(size * el.clientWidth / el.scrollWidth) + "px";
      }
    });
  }
  window.addEventListener("resize", fitJoinCode);

  // A busy board: notes get smaller while a column overflows, down to what the back of the room
  // still reads (--note-scale, see app.css); then each column pages through its notes, whole, and
  // says « 2/3 ». Every paged list on the board (the notes, rating.js's results table) turns to its
  // next page together every PAGE_SECONDS; a list that grew shows its last page, where the new
  // note is. Pages are worked out from the layout after every swap: a push appends notes to the
  // full list the server rendered, and this re-runs.
  var MIN_NOTE_SCALE = 0.78;
  var PAGE_SECONDS = 8;
  var paged = [];
  function inside(item, box) {
    var r = item.getBoundingClientRect();
    return r.bottom <= box.bottom + 1 && r.right <= box.right + 1;
  }
  function showPage(list) {
    var page = list.capPages[list.capPage];
    list.capItems.forEach(function (item, n) {
      var off = n < page[0] || n >= page[1];
      item.classList.toggle("off-page", off);
      if (off) item.classList.remove("fresh");  // shown again on a later turn: not new any more
    });
    if (list.capIndicator) {
      list.capIndicator.hidden = list.capPages.length < 2;
      list.capIndicator.textContent = (list.capPage + 1) + "/" + list.capPages.length;
    }
  }
  // The layout can still move after a swap (a table's rows re-wrap once settled): a page whose last
  // item no longer fits is worked out again, never left cut.
  function pageFits(list) {
    var page = list.capPages[list.capPage];
    return page[1] - page[0] < 2 || inside(list.capItems[page[1] - 1], list.capBox.getBoundingClientRect());
  }
  function recheck(list) {
    if (list.isConnected && !pageFits(list)) {
      paginate(list, list.capItems, list.capBox, list.capIndicator, false);
    }
  }
  // Splits the list's items into pages that fit inside `box` (its visible area), each item whole.
  function paginate(list, items, box, indicator, toEnd) {
    var pages = [];
    var start = 0;
    // The indicator takes its room before the items are measured against what is left.
    items.forEach(function (item) { item.classList.remove("off-page"); });
    if (indicator) {
      indicator.hidden = !items.length || inside(items[items.length - 1], box.getBoundingClientRect());
    }
    while (start < items.length) {
      items.forEach(function (item, n) { item.classList.toggle("off-page", n < start); });
      var limit = box.getBoundingClientRect();
      var end = start + 1;
      while (end < items.length && inside(items[end], limit)) end += 1;
      pages.push([start, end]);
      start = end;
    }
    if (!pages.length) pages.push([0, 0]);
    var grew = list.capCount !== undefined && items.length > list.capCount;
    list.capItems = items;
    list.capCount = items.length;
    list.capPages = pages;
    list.capIndicator = indicator;
    list.capBox = box;
    list.capPage = toEnd || grew ? pages.length - 1 : Math.min(list.capPage || 0, pages.length - 1);
    showPage(list);
    paged = paged.filter(function (other) { return other !== list && other.isConnected; });
    if (pages.length > 1) paged.push(list);
    if (grew) scheduleTurn();  // the new note stays a whole turn
    requestAnimationFrame(function () { recheck(list); });
  }
  var turnTimer = null;
  function turnPages() {
    paged.forEach(function (list) {
      if (!list.isConnected) return;
      list.capPage = (list.capPage + 1) % list.capPages.length;
      showPage(list);
      recheck(list);
    });
    scheduleTurn();
  }
  function scheduleTurn() {
    clearTimeout(turnTimer);
    turnTimer = setTimeout(turnPages, PAGE_SECONDS * 1000);
  }
  scheduleTurn();
  window.capBoardPages = paginate;

  function fitBoard() {
    var columns = document.querySelector(".board .columns");
    if (!columns) return;
    var lists = Array.prototype.slice.call(columns.querySelectorAll(".notes"));
    var notesOf = function (list) { return Array.prototype.slice.call(list.querySelectorAll(".note")); };
    lists.forEach(function (list) { notesOf(list).forEach(function (n) { n.classList.remove("off-page"); }); });
    var overflowing = function () {
      return lists.some(function (list) {
        var notes = notesOf(list);
        return notes.length && !inside(notes[notes.length - 1], list.getBoundingClientRect());
      });
    };
    // A busy column gets more of the width than an empty one (which keeps room for its name).
    columns.style.setProperty("grid-template-columns", lists.map(function (list) {
      return "minmax(6em, " + Math.sqrt(1 + notesOf(list).length).toFixed(2) + "fr)";
    }).join(" "));
    var scale = 1;
    columns.style.setProperty("--note-scale", scale);
    while (scale > MIN_NOTE_SCALE && overflowing()) {
      scale = Math.max(MIN_NOTE_SCALE, scale - 0.04);
      columns.style.setProperty("--note-scale", scale);
    }
    lists.forEach(function (list) {
      paginate(list, notesOf(list), list, list.parentElement.querySelector("[data-pages]"), false);
    });
  }
  window.addEventListener("resize", fitBoard);

  // A long slide (the instructions) gets smaller until it fits the projected screen.
  function fitSlide() {
    var slide = document.querySelector(".board .board-slide");
    var main = document.getElementById("board-main");
    if (!slide || !main) return;
    var steps = 0;
    slide.style.setProperty("--slide-scale", 1);
    while (steps < 10 && main.scrollHeight > main.clientHeight + 1) {
      steps += 1;
      slide.style.setProperty("--slide-scale", 1 - steps * 0.05);
    }
  }
  window.addEventListener("resize", fitSlide);

  // Countdown: each pushed timer says how many seconds were left when it was rendered.
  // Its end is announced once: when the page's timers ran at the last tick and show zero now
  // (pushes re-render them; a timer rendered already over was not running here).
  var timerRan = false;
  // A timer counts from its arrival, not from the next tick (up to a second later).
  function stampTimers() {
    var now = Date.now();
    document.querySelectorAll(".timer[data-remaining]").forEach(function (el) {
      if (!el.capStart) el.capStart = now;
    });
  }
  function tickTimers() {
    var now = Date.now();
    var running = false;
    var over = false;
    stampTimers();
    document.querySelectorAll(".timer[data-remaining]").forEach(function (el) {
      var left = Math.max(0, Number(el.dataset.remaining) - Math.floor((now - el.capStart) / 1000));
      el.textContent = left ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : t("Temps écoulé");
      el.classList.toggle("is-over", !left);
      if (left) running = true; else over = true;
    });
    if (timerRan && over && !running) announce(t("temps écoulé"));
    timerRan = running;
  }
  setInterval(tickTimers, 1000);

  window.addEventListener("offline", function () { setStatus(document, false); saidOnline(false); });
  window.addEventListener("online", function () {
    if (socketOpen) { setStatus(document, true); saidOnline(true); }
    flush();
  });

  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 6000);
  }

  function detail(text) {
    try { return JSON.parse(text).detail || text; } catch (e) { return text; }
  }
  // The server's own words: a JSON error's detail, or the message of its error page (nothing from
  // a proxy's page).
  function serverSays(text) {
    try { return String(JSON.parse(text).detail || ""); } catch (e) { /* a page, then */ }
    var said = new DOMParser().parseFromString(text, "text/html").querySelector(".error-message");
    return said ? said.textContent.trim() : "";
  }
  // An answer that stored nothing and asks for the same request again later: the server down or
  // busy (a 503 while its database is out of reach, a 429), or any answer that says when
  // (Retry-After). The seconds to wait, 0 for any other answer.
  function retryAfter(response) {
    if (response.status < 500 && response.status !== 429 && !response.headers.has("Retry-After")) return 0;
    return Math.min(60, Number(response.headers.get("Retry-After")) || 4);
  }
  // What a phone keeping a contribution says while it waits to send it again: the server's words
  // without their advice to try again (« Réessayez dans 8 s. », "Try again…"), which the phone
  // does itself.
  async function keptFor(response, wait) {
    var said = serverSays(await response.text()).replace(/\s*(Réessayez|Try again)[^.]*\.\s*$/, "");
    return t("%(said)s Gardé sur ce téléphone : nouvel essai dans %(seconds)s s…",
             { said: said || t("Serveur occupé."), seconds: wait });
  }
  // For the kinds' own outboxes (rating.js).
  window.Cap = { retryAfter: retryAfter, keptFor: keptFor, announce: announce, keepFocus: keepFocus, t: t };

  document.addEventListener("htmx:responseError", function (e) {
    toast(detail(e.detail.xhr.responseText) || t("Erreur %(status)s", { status: e.detail.xhr.status }));
  });
  document.addEventListener("htmx:sendError", function () {
    toast(t("Le serveur ne répond pas : vérifiez la connexion."));
  });
  // A WebSocket push may replace the element a request targets (#ctl-main) while the request is
  // in flight. Swapping the response into the detached element shows nothing, and htmx would first
  // move the page's live hx-preserve elements (the merge checkboxes) into it, losing them. Every
  // action announces its change, so a push with the new state follows: skip the stale swap.
  // htmx fires beforeSwap on the target itself; once detached, its events never reach document.
  function skipDetachedSwap(e) {
    if (!e.detail.target.isConnected) e.detail.shouldSwap = false;
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var target = e.detail.target;
    if (target && !target.capSwapGuard) {
      target.capSwapGuard = true;
      target.addEventListener("htmx:beforeSwap", skipDetachedSwap);
    }
    // The merged text is preserved across refreshes (hx-preserve); once that merge is done, it
    // must not be offered again for the next one. The form is replaced by then: listen on it.
    var form = e.detail.elt;
    if (form.id === "merge-form") {
      var text = form.querySelector('input[name="text"]');
      form.addEventListener("htmx:afterRequest", function (done) {
        if (done.detail.successful && text && text.isConnected) text.value = "";
      }, { once: true });
    }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form.matches && form.matches("[data-close-editor]")) {
      form.remove();
    }
  });

  // ---- Outbox: a post is kept on the phone until the server has stored it. ----
  var OUTBOX = "cap-outbox:" + location.pathname;
  var flushing = false;

  function loadOutbox() {
    try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox(list) {
    try { localStorage.setItem(OUTBOX, JSON.stringify(list)); } catch (e) { /* private mode */ }
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function pendingItem(entry) {
    var li = document.createElement("li");
    li.className = "note-mine pending";
    li.dataset.key = entry.key;
    if (entry.fields.category) {
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = entry.fields.category;
      li.append(tag);
    }
    var text = document.createElement("span");
    text.className = "note-text";
    text.textContent = entry.label ? t("Votre réponse : %(answer)s", { answer: entry.label }) : entry.fields.text;
    var state = document.createElement("span");
    state.className = "sent";
    state.textContent = navigator.onLine ? t("en cours d'envoi…") : t("hors ligne — envoi dès le retour du réseau");
    li.append(text, state);
    return li;
  }

  function listFor(entry) {
    return document.getElementById("mine-" + entry.activity);
  }

  function restorePending() {
    loadOutbox().forEach(function (entry) {
      var list = listFor(entry);
      if (list && !list.querySelector('[data-key="' + entry.key + '"]')) list.append(pendingItem(entry));
    });
  }

  function markPending(entry, message, cls) {
    document.querySelectorAll('[data-key="' + entry.key + '"]').forEach(function (li) {
      li.querySelector(".sent").textContent = message;
      if (cls) li.classList.add(cls);
    });
  }

  function stored(entry, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    var fresh = tpl.content.firstElementChild;
    // The same id already shown (a replayed post, or the previous answer to a poll): replace it.
    var shown = fresh && document.getElementById(fresh.id);
    document.querySelectorAll('.pending[data-key="' + entry.key + '"]').forEach(function (li) {
      if (fresh && !shown) { li.replaceWith(fresh); shown = fresh; } else li.remove();
    });
    if (shown && shown !== fresh) shown.replaceWith(fresh);
    // A post that chose the sub-group: the step line names it now. No push says so (a post reaches
    // the boards), the next render of the page would.
    var select = entry.fields.group_id && document.getElementById("group-" + entry.activity);
    var option = select && select.querySelector('option[value="' + CSS.escape(entry.fields.group_id) + '"]');
    var named = document.querySelector("#p-activity [data-group-name]");
    if (option && named) named.textContent = "· " + option.textContent;
  }

  // Until then the server asked for no more sends: the periodic retry and new posts wait too.
  var holdUntil = 0;

  async function flush() {
    if (flushing || Date.now() < holdUntil) return;
    flushing = true;
    try {
      var queue = loadOutbox();
      while (queue.length) {
        var entry = queue[0];
        var response;
        try {
          response = await fetch(entry.url, {
            method: "POST", credentials: "same-origin",
            headers: { "Accept": "text/html" },
            body: new URLSearchParams(entry.fields),
          });
        } catch (e) {
          markPending(entry, t("hors ligne — envoi dès le retour du réseau"));
          return;
        }
        var wait = retryAfter(response);
        if (wait) {
          markPending(entry, await keptFor(response, wait));
          holdUntil = Date.now() + wait * 1000;
          clearTimeout(flush.retry);
          flush.retry = setTimeout(flush, wait * 1000);
          return;
        }
        var body = await response.text();
        queue = loadOutbox().filter(function (e) { return e.key !== entry.key; });
        saveOutbox(queue);
        if (response.ok) { stored(entry, body); announce(t("envoyé")); }
        else {
          var refusal = t("refusé : %(reason)s", { reason: detail(body) });
          markPending(entry, refusal, "failed");
          announce(refusal);
        }
      }
    } finally {
      flushing = false;
    }
  }
  setInterval(function () { if (loadOutbox().length) flush(); }, 4000);

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("[data-outbox]")) return;
    e.preventDefault();
    // The submitter carries the choice of a poll (one button per option).
    var fields = Object.fromEntries(new FormData(form, e.submitter));
    fields.idempotency_key = newKey();
    var entry = {
      key: fields.idempotency_key, url: form.action, fields: fields,
      activity: form.closest("[data-activity]").dataset.activity,
      label: e.submitter && e.submitter.dataset.label,
    };
    form.querySelectorAll(".poll-option").forEach(function (button) {
      button.classList.toggle("is-chosen", button === e.submitter);
      button.setAttribute("aria-pressed", button === e.submitter ? "true" : "false");
    });
    var queue = loadOutbox();
    queue.push(entry);
    saveOutbox(queue);
    var list = listFor(entry);
    if (list) {
      // Show the note just sent: on a phone the list is often below the fold.
      var li = pendingItem(entry);
      list.append(li);
      li.scrollIntoView({ block: "nearest" });
    }
    var area = form.querySelector("textarea");
    if (area) area.value = "";
    // The outbox keeps the text now; the draft keeps what stays chosen (category, sub-group).
    if (form.matches("[data-draft]")) saveDraft(form, { text: "" });
    updateCounters();
    flush();
  });

  // ---- Drafts: what she is writing in a form survives a reload, a re-render of the step, a
  // reconnection. Kept per form (its action names the workshop and the activity). ----
  var DRAFT_FIELDS = ["text", "category", "group_id"];
  function draftKey(form) { return "cap-draft:" + form.getAttribute("action"); }
  function saveDraft(form, over) {
    var data = new FormData(form);
    var draft = {};
    DRAFT_FIELDS.forEach(function (name) {
      var value = over && name in over ? over[name] : data.get(name);
      if (value) draft[name] = value;
    });
    try {
      if (Object.keys(draft).length) localStorage.setItem(draftKey(form), JSON.stringify(draft));
      else localStorage.removeItem(draftKey(form));
    } catch (e) { /* private mode */ }
  }
  function restoreDrafts() {
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      var draft;
      try { draft = JSON.parse(localStorage.getItem(draftKey(form)) || "null"); } catch (e) { draft = null; }
      if (!draft) return;
      var text = form.elements.namedItem("text");
      if (text && !text.value && draft.text) text.value = draft.text;
      var choice = draft.category &&
        form.querySelector('input[name="category"][value="' + CSS.escape(draft.category) + '"]');
      if (choice && !form.querySelector('input[name="category"]:checked')) choice.checked = true;
      var group = form.elements.namedItem("group_id");
      if (group && draft.group_id && group.querySelector('option[value="' + CSS.escape(draft.group_id) + '"]')) {
        group.value = draft.group_id;
      }
    });
  }
  function draftChanged(e) {
    var form = e.target.form;
    if (form && form.matches("[data-draft]")) saveDraft(form);
  }
  document.addEventListener("input", draftChanged);
  document.addEventListener("change", draftChanged);

  function updateCounters() {
    document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var count = area.form && area.form.querySelector("[data-count]");
      if (count) count.textContent = area.value.length;
    });
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches("textarea[data-counter]")) updateCounters();
  });

  document.addEventListener("DOMContentLoaded", function () {
    fitJoinCode();
    fitBoard();
    fitSlide();
    if (document.fonts) document.fonts.ready.then(function () { fitJoinCode(); fitBoard(); fitSlide(); });
    highlightNewNotes();
    restorePending();
    restoreDrafts();
    updateCounters();
    noticeStep();
    noticeResults(false);
    if (loadOutbox().length) flush();
  });
})();
