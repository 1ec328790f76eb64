/* antipestbot web chat: the browser side of the contract in notes/web-api.md.
 *
 * No libraries, no build step, no innerHTML: every text from the server or the page goes in with
 * textContent. The page's own texts come from data- attributes of #chrome-text (translated on
 * the server), so this file holds no words a child reads.
 */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const app = $("app");
  const T = $("chrome-text").dataset;
  const LANG = document.documentElement.lang || "nl";
  const EXIT_URL = app.dataset.exitUrl;
  const MAX_PHOTO = Number(app.dataset.maxPhoto) || 10 * 1024 * 1024;
  const SCHOOL = app.dataset.school || ""; // whose page this is ("": the bare address)
  const TOKEN = "antipest.token";
  const TOKEN_SCHOOL = "antipest.school"; // the page the token was made on: a tab is one school's
  const TIMES = "antipest.times";
  const NOTE_SEEN = "antipest.note";
  const log = $("log");
  const main = $("main");
  const message = $("message");
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  const state = {
    seen: new Set(), // seq numbers shown: the stream replays, and a turn answers them too
    maxSeq: 0,
    stream: null, // AbortController of the live stream
    backoff: 1,
    reconnect: 0, // timer of the next stream attempt
    lastActive: Date.now(),
    failedText: null, // {text, id}: the same text sent again keeps its id, so it never doubles
    busy: false,
    restarted: 0, // when the server last forgot this tab
  };

  // --- small helpers -------------------------------------------------------------------------

  // sessionStorage can throw (storage disabled); the chat then simply lives as long as the page.
  const store = {
    get: (key) => { try { return sessionStorage.getItem(key); } catch (e) { return null; } },
    set: (key, value) => { try { sessionStorage.setItem(key, value); } catch (e) { /* none */ } },
    remove: (key) => { try { sessionStorage.removeItem(key); } catch (e) { /* none */ } },
    clear: () => { try { sessionStorage.clear(); } catch (e) { /* none */ } },
  };
  const token = () => store.get(TOKEN);
  const sleep = (seconds) => new Promise((done) => setTimeout(done, seconds * 1000));

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, className, onPress) {
    const node = el("button", className, label);
    node.type = "button";
    node.addEventListener("click", () => {
      if (node.getAttribute("aria-disabled") !== "true") onPress(node);
    });
    return node;
  }

  // aria-disabled, not disabled: a disabled button throws keyboard focus back to the page's top.
  function setDisabled(nodes, off) {
    for (const node of nodes) node.setAttribute("aria-disabled", off ? "true" : "false");
  }

  // A client message id (8-64 of A-Za-z0-9_-): the server answers a repeat once, not twice.
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function showStatus(text) { $("status").textContent = text || ""; }

  // On a touch screen a keyboard popping up unasked would hide the chat: focus the box only
  // where there is a real keyboard (a fine pointer), else the conversation itself.
  function focusNext() {
    if (window.matchMedia("(pointer: fine)").matches && !$("composer-box").hidden) message.focus();
    else main.focus();
  }

  // --- talking to the server ------------------------------------------------------------------

  class Unreachable extends Error {}

  // One request; throws Unreachable when the network (or a proxy in front of us) fails.
  async function api(path, { body, headers = {}, method = "POST" } = {}) {
    const sent = { ...headers };
    if (token()) sent["X-Session"] = token();
    if (body !== undefined && !(body instanceof Blob)) {
      sent["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, { method, headers: sent, body, cache: "no-store" });
    } catch (e) {
      throw new Unreachable();
    }
    if (response.status >= 500) throw new Unreachable();
    const data = await response.json().catch(() => ({}));
    if (response.ok) markActive();
    return { status: response.status, data };
  }

  // The same request (same id) up to three more times, 1, 2 and 4 s apart, saying so.
  async function send(path, options) {
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await api(path, options);
        } catch (error) {
          if (!(error instanceof Unreachable) || attempt >= 3) throw error;
          showStatus(T.retrying);
          await sleep(2 ** attempt);
        }
      }
    } finally {
      showStatus(navigator.onLine === false ? T.offline : "");
    }
  }

  /* A turn or a photo: the answer is shown; a kind error from the server is shown; a dead line
   * offers "Try again" with the very same request. `ctx.failed` runs on every failure (to put a
   * text back in the box); `ctx.buttons` are disabled meanwhile. */
  async function exchange(path, options, ctx = {}) {
    const buttons = ctx.buttons || [];
    const failed = () => { if (ctx.pending) ctx.pending.remove(); if (ctx.failed) ctx.failed(); };
    setDisabled(buttons, true);
    try {
      const { status, data } = await send(path, options);
      if (status === 401) {
        failed();
        await restart(data.message);
      } else if (status !== 200) {
        failed();
        addLine(data.message || T.unreachable);
      } else {
        if (ctx.pending) ctx.pending.remove();
        showMessages(data.messages || []);
      }
    } catch (error) {
      failed();
      const again = ctx.retry || (() => exchange(path, options, ctx));
      addLine(ctx.kept ? `${T.notSent}\n${T.textKept}` : T.notSent, again);
    } finally {
      setDisabled(buttons, false);
    }
  }

  // --- the transcript -------------------------------------------------------------------------

  // A line of the page itself, not from the server (kind notices, errors); `retry` adds a
  // "Try again" button that removes the line and runs it.
  function addLine(text, retry) {
    const line = el("div", "msg msg-bot msg-local");
    line.dataset.testid = "notice";
    const bubble = el("div", "bubble");
    bubble.append(el("p", "text", text));
    line.append(bubble);
    if (retry) line.append(button(T.tryAgain, "choice", () => { line.remove(); retry(); }));
    log.append(line);
    reveal([line]);
    return line;
  }

  function showMessages(messages) {
    const added = [];
    for (const m of messages) {
      const numbered = typeof m.seq === "number";
      if (numbered && state.seen.has(m.seq)) continue;
      const node = renderMessage(m);
      // A late arrival (the stream and a turn's answer race) goes back in its place.
      const later = numbered && m.seq < state.maxSeq
        ? Array.from(log.children).find((n) => Number(n.dataset.seq) > m.seq) : null;
      log.insertBefore(node, later || null);
      if (numbered) {
        state.seen.add(m.seq);
        state.maxSeq = Math.max(state.maxSeq, m.seq);
      }
      if (m.from === "you") dropPending(m.text);
      added.push(node);
    }
    if (added.length) reveal(added);
  }

  function renderMessage(m) {
    const mine = m.from === "you";
    const item = el("div", mine ? "msg msg-you" : "msg msg-bot");
    item.dataset.testid = mine ? "msg-you" : "msg-bot";
    if (typeof m.seq === "number") item.dataset.seq = String(m.seq);
    const bubble = el("div", "bubble");
    bubble.append(el("span", "sr-only", mine ? T.you : T.bot));
    if (m.text) bubble.append(textOf(m));
    if (m.photo) bubble.append(el("p", "photo-line", T.photoLine));
    if (m.secret) bubble.append(renderSecret(m.secret));
    if (!mine && m.text) bubble.append(speakButton(m.text));
    item.append(bubble);
    const rows = Array.isArray(m.buttons) ? m.buttons : [];
    if (rows.length) {
      const all = [];
      const box = el("div", "choices");
      for (const row of rows) {
        const line = el("div", "choice-row");
        for (const b of row) {
          const choice = button(b.label, "choice", () => press(b, all));
          choice.dataset.button = b.data;
          all.push(choice);
          line.append(choice);
        }
        box.append(line);
      }
      item.append(box);
    }
    return item;
  }

  // Tables of figures line up only in a fixed-width font; textContent, as every text. A wide
  // one scrolls sideways, so it takes the keyboard's focus too.
  function textOf(m) {
    if (!m.monospace) return el("p", "text", m.text);
    const pre = el("pre", "text", m.text);
    pre.tabIndex = 0;
    return pre;
  }

  function renderSecret(code) {
    const box = el("div", "secret");
    box.dataset.testid = "secret";
    box.append(el("p", "secret-label", T.secretLabel), el("code", "secret-code", code));
    box.append(el("p", "secret-write", T.writeDown));
    box.append(button(T.print, "quiet", () => { printSheet(code); window.print(); }));
    printSheet(code); // Ctrl+P, too, prints only the newest code and never the conversation
    return box;
  }

  function printSheet(code) {
    $("print-code").textContent = code || "";
    $("print-sheet").hidden = !code;
  }

  // Show new messages: the end of the batch, but never scroll past the start of its first one.
  // By scrollTo, not scrollIntoView: Chrome would move the Tab key's starting point into the log.
  function reveal(nodes) {
    const behavior = reduceMotion.matches ? "auto" : "smooth";
    const first = nodes[0];
    const last = nodes[nodes.length - 1];
    if (getComputedStyle(main).overflowY === "visible") { // a very short window: the page scrolls
      last.scrollIntoView({ block: "nearest", behavior });
      return;
    }
    const end = last.offsetTop + last.offsetHeight + 12 - main.clientHeight;
    main.scrollTo({ top: Math.min(end, first.offsetTop - 12), behavior });
  }

  // What the user sent, shown at once; the server's echo (with its seq) replaces it.
  function addPending(text) {
    const item = el("div", "msg msg-you pending");
    item.dataset.testid = "pending";
    item.dataset.text = text;
    const bubble = el("div", "bubble");
    bubble.append(el("span", "sr-only", T.you), el("p", "text", text), el("p", "sending", T.sending));
    item.append(bubble);
    log.append(item);
    reveal([item]);
    return item;
  }

  function dropPending(text) {
    const same = Array.from(log.querySelectorAll(".pending")).find((n) => n.dataset.text === text);
    if (same) same.remove();
  }

  function clearTranscript() {
    log.replaceChildren();
    state.seen.clear();
    state.maxSeq = 0;
    printSheet(null);
    stopSpeaking();
  }

  // --- what the user does ----------------------------------------------------------------------

  function press(b, group) {
    const body = { id: newId(), button: b.data, label: b.label };
    exchange("/api/turn", { body }, { buttons: group });
  }

  async function sendText() {
    const text = message.value;
    if (!text.trim() || state.busy || !token()) return;
    const id = state.failedText && state.failedText.text === text ? state.failedText.id : newId();
    state.failedText = null;
    state.busy = true;
    setDisabled([$("send")], true);
    message.value = "";
    await exchange("/api/turn", { body: { id, text } }, {
      pending: addPending(text),
      kept: true,
      failed: () => {
        if (!message.value.trim()) message.value = text; // nothing typed is ever lost
        state.failedText = { text, id };
      },
      retry: sendText,
    });
    state.busy = false;
    setDisabled([$("send")], false);
  }

  function sendPhoto(file, id) {
    exchange("/api/photo", { body: file, headers: { "X-Client-Id": id } }, {
      pending: addPending(T.photoLine),
      retry: () => sendPhoto(file, id),
    });
  }

  $("composer").addEventListener("submit", (event) => { event.preventDefault(); sendText(); });
  message.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendText();
    }
  });
  // Keep the box in sight once a phone's keyboard has slid up.
  message.addEventListener("focus", () => {
    setTimeout(() => message.scrollIntoView({ block: "nearest" }), 300);
  });

  $("photo").addEventListener("change", () => {
    const input = $("photo");
    const file = input.files && input.files[0];
    input.value = ""; // the same photo can be chosen again
    if (!file || !token()) return;
    if (file.size > MAX_PHOTO) addLine(T.photoTooBig); // the server checks too
    else sendPhoto(file, newId());
  });

  // --- the secret code form --------------------------------------------------------------------

  const codeForm = $("code-form");
  const codeOpen = $("code-open");
  function showCodeForm(open) {
    codeForm.hidden = !open;
    codeOpen.setAttribute("aria-expanded", String(open));
    if (open) $("code-input").focus();
  }
  codeOpen.addEventListener("click", () => showCodeForm(codeForm.hidden));
  $("code-cancel").addEventListener("click", () => { showCodeForm(false); codeOpen.focus(); });

  codeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("code-input");
    const submit = $("code-submit");
    const status = $("code-status");
    const code = input.value.trim();
    if (!code || submit.getAttribute("aria-disabled") === "true" || !token()) return;
    status.textContent = T.codeSending;
    setDisabled([submit], true);
    let wait = 0;
    try {
      const answer = await send("/api/code", { body: { id: newId(), code } });
      status.textContent = answer.status === 200 || answer.status === 401
        ? "" : answer.data.message || T.unreachable;
      if (answer.status === 200) {
        // The tab now speaks for the code's conversation, which has its own numbering.
        input.value = "";
        showCodeForm(false);
        clearTranscript();
        showMessages(answer.data.messages || []);
        openStream();
      } else if (answer.status === 401) {
        await restart(answer.data.message);
      } else if (answer.status === 429) {
        wait = Number(answer.data.retry_after) || 5;
      }
    } catch (error) {
      status.textContent = T.notSent;
    }
    setTimeout(() => setDisabled([submit], false), wait * 1000);
  });

  // --- read aloud: only with a voice on this device, never one over the network -----------------

  let voice = null;
  let speaking = null; // the button of the message being read
  function pickVoice() {
    const local = window.speechSynthesis.getVoices().filter((v) => v.localService === true);
    const mine = local.filter((v) => (v.lang || "").toLowerCase().split(/[-_]/)[0] === LANG);
    voice = mine[0] || local[0] || null;
    document.documentElement.classList.toggle("can-speak", voice !== null);
  }
  if ("speechSynthesis" in window && window.SpeechSynthesisUtterance) {
    pickVoice();
    window.speechSynthesis.addEventListener("voiceschanged", pickVoice);
  }

  function speakButton(text) {
    return button(T.readAloud, "speak quiet", (node) => {
      const same = speaking === node;
      stopSpeaking();
      if (same || !voice) return;
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.onend = utterance.onerror = () => { if (speaking === node) stopSpeaking(); };
      speaking = node;
      node.textContent = T.stopReading;
      window.speechSynthesis.speak(utterance);
    });
  }

  function stopSpeaking() {
    if (speaking) speaking.textContent = T.readAloud;
    speaking = null;
    if (voice) window.speechSynthesis.cancel();
  }

  // --- the live stream (fetch: EventSource cannot send a header) -------------------------------

  function closeStream() {
    clearTimeout(state.reconnect);
    if (state.stream) state.stream.abort();
    state.stream = null;
  }

  async function openStream() {
    closeStream();
    const current = token();
    if (!current) return;
    const control = new AbortController();
    state.stream = control;
    try {
      const response = await fetch(`/api/events?after=${state.maxSeq}`, {
        headers: { "X-Session": current }, signal: control.signal, cache: "no-store",
      });
      if (response.status === 401) { sessionGone(); return; }
      if (!response.ok || !response.body) throw new Error("stream");
      state.backoff = 1;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (readEvent(block) === "end") { sessionGone(); return; }
        }
      }
    } catch (error) {
      if (control.signal.aborted) return;
    }
    if (state.stream !== control) return;
    // Again in 1, 2, 4 ... 30 s, always from the highest seq shown.
    state.reconnect = setTimeout(openStream, state.backoff * 1000);
    state.backoff = Math.min(30, state.backoff * 2);
  }

  // One server-sent event: "id:", "event:" and "data:" lines; ":" starts a comment (a ping).
  function readEvent(block) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      const colon = line.indexOf(":");
      if (colon === 0 || !line) continue;
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "").replace(/\r$/, "");
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    }
    if (name === "message" && data.length) {
      try { showMessages([JSON.parse(data.join("\n"))]); } catch (e) { /* a broken event: skip */ }
    }
    return name;
  }

  // --- sessions ---------------------------------------------------------------------------------

  function setSessionShown(on) {
    for (const id of ["done", "composer-box", "code-box"]) $(id).hidden = !on;
    $("ended").hidden = on;
  }

  async function startNew() {
    setSessionShown(true);
    try {
      const body = SCHOOL ? { lang: LANG, school: SCHOOL } : { lang: LANG };
      const { status, data } = await send("/api/session", { body });
      if (status === 404 && data.message) { addLine(data.message); return; } // the school is gone
      if (status !== 201 || !data.token) throw new Unreachable();
      store.set(TOKEN, data.token);
      store.set(TOKEN_SCHOOL, SCHOOL);
      store.set(TIMES, JSON.stringify({ idle: data.idle, warn: data.warn }));
      markActive();
      await exchange("/api/turn", { body: { id: newId(), start: true } });
      openStream();
    } catch (error) {
      addLine(`${T.unreachable}\n${T.helpNow}`, startNew);
    }
  }

  // A reload in the same tab: the transcript again, then the live stream.
  async function resume() {
    setSessionShown(true);
    try {
      const { status, data } = await send(`/api/events?after=${state.maxSeq}&wait=0`, { method: "GET" });
      if (status === 401) { await restart(data.message); return; }
      if (status !== 200) throw new Unreachable();
      showMessages(data.messages || []);
      openStream();
    } catch (error) {
      addLine(T.unreachable, resume);
    }
  }

  // The server forgot this tab (idle, or a restart): kindly begin again, in a new session.
  async function restart(kindLine) {
    closeStream();
    store.remove(TOKEN);
    clearTranscript();
    // A server that forgets every new tab at once must not make the page loop: then ask.
    if (Date.now() - state.restarted < 10000) { addLine(kindLine || T.closedIdle, startNew); return; }
    addLine(kindLine || T.closedIdle);
    state.restarted = Date.now();
    await startNew();
  }

  // Forget this tab here and on the server; fire and forget, so nothing waits for the network.
  function forgetTab() {
    const current = token();
    closeStream();
    stopSpeaking();
    store.clear();
    if (!current) return;
    fetch("/api/end", {
      method: "POST", keepalive: true, body: "{}",
      headers: { "X-Session": current, "Content-Type": "application/json" },
    }).catch(() => {});
  }

  function endSession(text) {
    forgetTab();
    clearTranscript();
    $("idle").hidden = true;
    setSessionShown(false);
    $("ended-text").textContent = text;
    $("ended-more").textContent = T.goodbyeMore;
    main.scrollTop = 0;
    $("restart").focus();
  }

  function sessionGone() { endSession(T.closedIdle); }

  $("done").addEventListener("click", () => endSession(T.goodbye));
  $("restart").addEventListener("click", () => { clearTranscript(); startNew(); focusNext(); });

  // --- quick exit: gone at once, and the back button does not bring the chat back ---------------

  function quickExit() {
    document.documentElement.classList.add("leaving"); // blank before anything else happens
    log.replaceChildren();
    message.value = "";
    forgetTab();
    window.location.replace(EXIT_URL); // replace: the chat leaves the tab's history
  }

  $("quick-exit").addEventListener("click", (event) => { event.preventDefault(); quickExit(); });
  // Shift three times within a second, no other key between: typing capitals never does it.
  let shifts = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Shift") { shifts = []; return; }
    if (event.repeat) return;
    const now = Date.now();
    shifts = shifts.filter((t) => now - t < 1000).concat(now);
    if (shifts.length >= 3) quickExit();
  });

  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    // Back from the browser's page cache: without a token only an empty start may show.
    document.documentElement.classList.remove("leaving");
    if (token()) { openStream(); return; }
    clearTranscript();
    message.value = "";
    startNew();
  });

  // --- idle: warn, then close for safety ---------------------------------------------------------

  function markActive() {
    state.lastActive = Date.now();
    $("idle").hidden = true;
  }

  function checkIdle() {
    if (!token()) return;
    let times = {};
    try { times = JSON.parse(store.get(TIMES)) || {}; } catch (e) { /* the defaults */ }
    const { idle = 3600, warn = 3300 } = times;
    const quiet = (Date.now() - state.lastActive) / 1000;
    if (quiet >= idle) sessionGone();
    else if (quiet >= warn) $("idle").hidden = false;
  }
  setInterval(checkIdle, 5000); // by the wall clock: a sleeping tab catches up when it wakes

  $("idle-yes").addEventListener("click", async () => {
    try {
      // Any request keeps the session; this one also brings what the stream may have missed.
      const { status, data } = await send(`/api/events?after=${state.maxSeq}&wait=0`, { method: "GET" });
      if (status === 401) await restart(data.message);
      else showMessages(data.messages || []);
    } catch (error) {
      addLine(T.notSent);
    }
    focusNext();
  });

  // --- being away and coming back ----------------------------------------------------------------

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || !token()) return;
    checkIdle();
    if (token()) openStream(); // a phone may have dropped the line while it slept
  });
  window.addEventListener("online", () => { showStatus(""); if (token()) openStream(); });
  window.addEventListener("offline", () => showStatus(T.offline));

  // The height above a phone's keyboard (not while the user has zoomed in).
  if (window.visualViewport) {
    const fit = () => {
      const vv = window.visualViewport;
      if (vv.scale > 1.01) return;
      app.style.setProperty("--app-height", `${Math.round(vv.height)}px`);
      app.classList.add("fitted");
      if (vv.offsetTop > 0) window.scrollTo(0, 0);
    };
    window.visualViewport.addEventListener("resize", fit);
    fit();
  }

  // --- the note about quick exit, until it is put away in this tab -------------------------------

  if (store.get(NOTE_SEEN)) $("exit-note").hidden = true;
  $("exit-note-close").addEventListener("click", () => {
    store.set(NOTE_SEEN, "1");
    $("exit-note").hidden = true;
    focusNext();
  });

  window.addEventListener("beforeprint", () => {
    const codes = log.querySelectorAll(".secret-code");
    printSheet(codes.length ? codes[codes.length - 1].textContent : null);
  });

  // A token from another school's page in this tab is that school's conversation, not this one.
  if (token() && (store.get(TOKEN_SCHOOL) || "") !== SCHOOL) forgetTab();
  if (token()) resume();
  else startNew();
})();
