/* Kinema: shared browser code. Every page loads this first; page scripts use window.Kinema. */
(function () {
  "use strict";

  const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

  function readCookie(name) {
    const prefix = name + "=";
    for (const part of document.cookie.split(";")) {
      const item = part.trim();
      if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
    }
    return "";
  }

  /** An error from the API, carrying the human sentence the server wrote. */
  class ApiError extends Error {
    constructor(message, status, code) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /**
   * Call the JSON API. `body` may be a plain object (sent as JSON) or FormData.
   * Resolves with the parsed JSON (or null); rejects with an ApiError whose message is
   * the server's own sentence, so pages can show it as is.
   */
  async function api(method, url, body) {
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin" };
    if (UNSAFE.has(method)) {
      const token = readCookie("kinema_csrf");
      if (token) headers["X-CSRF-Token"] = token;
    }
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      throw new ApiError("Kinema could not be reached. Check your connection and try again.", 0, "network");
    }
    let data = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
      try {
        data = await response.json();
      } catch (err) {
        data = null;
      }
    }
    if (!response.ok) {
      const error = data && data.error;
      const message =
        (error && error.message) ||
        (response.status === 413 ? "That file is too large." : "Something went wrong (" + response.status + ").");
      throw new ApiError(message, response.status, (error && error.code) || "http_" + response.status);
    }
    return data;
  }

  function toast(message, kind) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "toast" + (kind ? " " + kind : "");
    item.textContent = message;
    box.appendChild(item);
    setTimeout(() => item.remove(), kind === "error" ? 6000 : 3500);
  }

  /** Show `message` in a form's inline error box (role=alert) and move focus there. */
  function showFormError(box, message) {
    if (!box) {
      toast(message, "error");
      return;
    }
    box.textContent = message;
    box.hidden = false;
  }

  /** Build an element: h("a", {href: "/x", class: "tile"}, child, "text", ...). */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** The <track> of a video's dialogue captions, or null for a video without speech. */
  function captionTrack(video) {
    const language = video.captions_language;
    if (!video.captions_url || !language) return null;
    let label = language;
    try {
      label = new Intl.DisplayNames([navigator.language || "en"], { type: "language" }).of(language) || language;
    } catch (err) {
      label = language;
    }
    return h("track", { kind: "captions", src: video.captions_url, srclang: language, label: label });
  }

  function timeAgo(iso) {
    const then = Date.parse(iso);
    if (Number.isNaN(then)) return "";
    const seconds = Math.max(0, (Date.now() - then) / 1000);
    if (seconds < 60) return "just now";
    const steps = [
      [60, "minute"],
      [24, "hour"],
      [7, "day"],
      [4.35, "week"],
      [12, "month"],
      [Infinity, "year"],
    ];
    let value = seconds / 60;
    for (const [size, unit] of steps) {
      if (value < size) {
        const n = Math.floor(value);
        return n + " " + unit + (n === 1 ? "" : "s") + " ago";
      }
      value /= size;
    }
    return "";
  }

  function authorHandle(video) {
    const author = video && video.author;
    if (!author) return "";
    return typeof author === "string" ? author : author.handle || "";
  }

  /** A grid tile linking to a video page: thumbnail, caption or prompt, author. */
  function videoTile(video, options) {
    const opts = options || {};
    const title = video.caption || video.prompt || "Untitled";
    const handle = authorHandle(video);
    return h(
      "a",
      { class: "tile", href: "/v/" + encodeURIComponent(video.id), "aria-label": title },
      h("img", { src: video.thumbnail_url, alt: "", loading: "lazy" }),
      opts.badge ? h("span", { class: "tile-badge", text: opts.badge }) : null,
      h(
        "div",
        { class: "tile-meta" },
        h("div", { class: "tile-title", text: title }),
        handle && !opts.hideAuthor ? h("div", { class: "tile-author", text: "@" + handle }) : null
      )
    );
  }

  /** Only same-site paths are followed after sign-in, never another origin. */
  function safeNext(value, fallback) {
    // Browsers drop tabs and newlines from addresses and read "\\" as "/": any control
    // character, whitespace or backslash is refused, then the result must stay on this origin.
    if (typeof value !== "string" || value.length > 2048) {
      return fallback;
    }
    try {
      // As given and as decoded twice, so encoded forms ("/%09/evil.example") fail too.
      const once = decodeURIComponent(value);
      for (const form of [value, once, decodeURIComponent(once)]) {
        if (!form.startsWith("/") || form.startsWith("//") ||
            /[\u0000-\u0020\u007f-\u009f\\\s]/.test(form)) {
          return fallback;
        }
      }
      const url = new URL(value, window.location.origin);
      if (url.origin !== window.location.origin) {
        return fallback;
      }
      return url.pathname + url.search + url.hash;
    } catch (err) {
      return fallback;
    }
  }

  async function logOut() {
    try {
      await api("POST", "/api/auth/logout");
    } catch (err) {
      // Signed out already (expired session) is the outcome the person wanted anyway.
      if (err.status !== 401) {
        toast(err.message, "error");
        return;
      }
    }
    window.location.assign("/");
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("[data-action='logout']") : null;
    if (target) {
      event.preventDefault();
      logOut();
    }
  });

  /** The unread count on the bell in the navigation. */
  function showUnread(count) {
    for (const badge of document.querySelectorAll("[data-unread-badge]")) {
      badge.textContent = count > 99 ? "99+" : String(count);
      badge.hidden = count <= 0;
      badge.setAttribute("aria-label", count + " unread");
    }
  }

  if (document.body.classList.contains("signed-in") && document.querySelector("[data-unread-badge]")) {
    // The inbox page may mark everything read before this count arrives; a count that
    // was asked for earlier must not bring the badge back.
    let readMeanwhile = false;
    document.addEventListener("kinema:notifications-read", () => {
      readMeanwhile = true;
      showUnread(0);
    });
    api("GET", "/api/notifications?unread=true&limit=1")
      .then((page) => {
        if (!readMeanwhile) showUnread((page && page.unread_count) || 0);
      })
      .catch(() => {
        /* The badge is a hint; the page works without it. */
      });
  }

  /**
   * Follows a generation until it completes or fails: live progress events where the
   * browser has them, polling once a second otherwise or once the stream breaks.
   * onUpdate(generation) gets every state, the last one "completed" or "failed";
   * onGone(error) is called if the generation can no longer be read. Returns stop().
   */
  function followGeneration(id, onUpdate, onGone) {
    const url = "/api/generations/" + encodeURIComponent(id);
    let finished = false;
    let source = null;
    let timer = null;
    function stop() {
      finished = true;
      if (source) source.close();
      if (timer) clearTimeout(timer);
    }
    function handle(update) {
      if (finished || !update) return;
      const generation = Object.assign({ id: id }, update.generation || update);
      if (generation.status === "completed" || generation.status === "failed") stop();
      onUpdate(generation);
    }
    function poll() {
      if (finished) return;
      api("GET", url)
        .then(handle)
        .catch((err) => {
          if ((err.status === 404 || err.status === 401) && !finished) {
            stop();
            if (onGone) onGone(err);
          }
          /* Anything else is a passing network hiccup: the next poll tries again. */
        })
        .finally(() => {
          if (!finished) timer = setTimeout(poll, 1000);
        });
    }
    if (!("EventSource" in window)) {
      poll();
      return stop;
    }
    const stream = new EventSource(url + "/events");
    source = stream;
    const onEvent = (event) => {
      try {
        handle(JSON.parse(event.data));
      } catch (err) {
        /* A keep-alive line; the next event carries the state. */
      }
    };
    for (const name of ["message", "progress", "status", "completed", "failed", "done"]) {
      stream.addEventListener(name, onEvent);
    }
    stream.onerror = () => {
      // The stream ended or broke before the job finished: carry on by polling.
      stream.close();
      source = null;
      if (!finished) poll();
    };
    return stop;
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", () => {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
        /* The app works without offline support; nothing to tell the person. */
      });
    });
  }

  window.Kinema = {
    api, ApiError, toast, showFormError, h, timeAgo, videoTile, safeNext, readCookie, authorHandle, showUnread,
    followGeneration, captionTrack,
  };
})();
