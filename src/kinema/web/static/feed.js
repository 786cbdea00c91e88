/* The vertical feed: full-height videos snapped while scrolling, the visible one
   playing, sound off until the first tap (then remembered), like / comment / remix /
   share, infinite scroll, keyboard (arrows, j/k, space, m, l) and touch. */
(function () {
  "use strict";

  const { api, toast, h, timeAgo, captionTrack } = window.Kinema;
  const feed = document.getElementById("feed");
  if (!feed) return;

  const SOUND_KEY = "kinema.feed.sound";
  const PAGE = 8;
  const SEEN_AFTER_MS = 1500;
  const signedIn = feed.dataset.signedIn === "true";
  const me = feed.dataset.handle;
  const soundButton = document.getElementById("feed-sound");
  const emptyBox = document.getElementById("feed-empty");

  let soundOn = localStorage.getItem(SOUND_KEY) === "on";
  let cursor = null;
  let loading = false;
  let finished = false;
  let current = null; // the feed-item section on screen
  const shownIds = new Set();
  const seenQueue = new Set();
  let seenTimer = null;

  const ICONS = {
    heart: '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 21s-7.5-4.6-9.6-9.1C.9 8.6 3 4.5 6.9 4.5c2.1 0 3.6 1.2 4.4 2.4l.7 1 .7-1c.8-1.2 2.3-2.4 4.4-2.4 3.9 0 6 4.1 4.5 7.4C19.5 16.4 12 21 12 21z"/></svg>',
    comment: '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 012 2v10a2 2 0 01-2 2H9l-5 4v-4a2 2 0 01-2-2V6a2 2 0 012-2z"/></svg>',
    remix: '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" d="M4 7h11l-3-3M20 17H9l3 3M17 4l3 3-3 3M7 14l-3 3 3 3"/></svg>',
    share: '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M14 4l7 7-7 7v-4c-5 0-8.5 1.5-11 5 1-5 4-10 11-11V4z"/></svg>',
    hide: '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" d="M5 5l14 14M12 5c5 0 8.5 4.5 9.5 7-.4 1-1.3 2.4-2.6 3.7M8.5 6C5.6 7.4 3.4 10 2.5 12c1 2.5 4.5 7 9.5 7 1.4 0 2.7-.3 3.8-.9"/></svg>',
  };

  const REASONS = {
    following: "You follow them",
    interacted: "You liked their videos",
    character: "Your character is in it",
    topic: "Matches what you asked for",
    trending: "Trending",
    remix_inspiring: "People are remixing this",
    fresh: "New",
    popular: "Popular",
    exploration: "Something different",
  };

  function count(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(1).replace(/\.0$/, "") + "M";
    if (n >= 1e4) return Math.round(n / 1e3) + "K";
    if (n >= 1e3) return (n / 1e3).toFixed(1).replace(/\.0$/, "") + "K";
    return String(n);
  }

  function needSignIn() {
    if (signedIn) return false;
    window.location.assign("/login?next=" + encodeURIComponent("/feed"));
    return true;
  }

  function railButton(kind, label, text, extra) {
    const button = h("button", Object.assign({ class: "rail-btn", type: "button", "data-action": kind, "aria-label": label }, extra || {}));
    button.innerHTML = ICONS[kind === "like" ? "heart" : kind === "not-interested" ? "hide" : kind];
    button.append(h("span", { class: "rail-count", text }));
    return button;
  }

  function itemFor(video) {
    const handle = (video.author && video.author.handle) || "";
    const videoEl = h("video", {
      src: video.content_url,
      poster: video.thumbnail_url,
      playsinline: true,
      "webkit-playsinline": true,
      loop: true,
      muted: true,
      preload: "metadata",
      "aria-label": video.caption || video.prompt,
    });
    videoEl.muted = true;
    const track = captionTrack(video);
    if (track) videoEl.appendChild(track);
    const info = h(
      "div",
      { class: "feed-info" },
      h("a", { class: "feed-author", href: "/u/" + encodeURIComponent(handle), text: "@" + handle }),
      signedIn && handle !== me
        ? h("button", { class: "feed-follow", type: "button", "data-action": "follow", "aria-pressed": "false", text: "Follow" })
        : null,
      video.caption ? h("p", { class: "feed-caption", text: video.caption }) : null,
      h("p", { class: "feed-prompt", text: "“" + video.prompt + "”" }),
      video.remix_of ? h("a", { class: "feed-remix-of", href: "/v/" + encodeURIComponent(video.remix_of), text: "↺ Remix of an earlier video" }) : null,
      video.reason ? h("span", { class: "feed-reason", text: "· " + (REASONS[video.reason] || "") }) : null
    );
    const like = railButton("like", video.liked ? "Unlike" : "Like", count(video.like_count), { "aria-pressed": video.liked ? "true" : "false" });
    const rail = h(
      "div",
      { class: "feed-rail" },
      like,
      railButton("comment", "Comments", count(video.comment_count)),
      railButton("remix", "Remix", video.remix_count ? count(video.remix_count) : "Remix"),
      railButton("share", "Share", "Share"),
      signedIn ? railButton("not-interested", "Not interested", "Hide") : null
    );
    const section = h(
      "section",
      { class: "feed-item", "data-id": video.id, "data-author": handle, "aria-label": "Video by @" + handle },
      videoEl,
      h("span", { class: "paused-mark", "aria-hidden": "true", text: "▶" }),
      info,
      rail
    );
    section.video = video;
    return section;
  }

  // ------------------------------------------------------------------ playback

  function applySound() {
    soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
    soundButton.setAttribute("aria-label", soundOn ? "Sound is on. Turn sound off" : "Sound is off. Turn sound on");
    for (const v of feed.querySelectorAll("video")) v.muted = !soundOn;
  }

  function setSound(on) {
    soundOn = on;
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    applySound();
  }

  function play(section) {
    const v = section.querySelector("video");
    v.muted = !soundOn;
    const started = v.play();
    if (started && started.catch) {
      started.catch(() => {
        // The browser refuses sound before a gesture in this tab: play muted instead.
        v.muted = true;
        v.play().catch(() => section.classList.add("paused"));
      });
    }
    section.classList.remove("paused");
  }

  function pause(section) {
    const v = section.querySelector("video");
    v.pause();
  }

  function flushSeen() {
    seenTimer = null;
    if (!signedIn || seenQueue.size === 0) return;
    const ids = Array.from(seenQueue);
    seenQueue.clear();
    api("POST", "/api/feed/seen", { video_ids: ids }).catch(() => {
      /* Losing a seen mark only means the video may show again; nothing to tell. */
    });
  }

  function markSeenLater(section) {
    const id = section.dataset.id;
    clearTimeout(section.seenTimer);
    section.seenTimer = setTimeout(() => {
      if (current === section) {
        seenQueue.add(id);
        if (!seenTimer) seenTimer = setTimeout(flushSeen, 3000);
      }
    }, SEEN_AFTER_MS);
  }

  function show(section) {
    if (current === section) return;
    if (current) pause(current);
    current = section;
    play(section);
    markSeenLater(section);
    const items = feed.querySelectorAll(".feed-item");
    const index = Array.prototype.indexOf.call(items, section);
    if (index >= items.length - 3) loadMore();
    // Warm the next video so swiping feels instant.
    const next = items[index + 1];
    if (next) next.querySelector("video").preload = "auto";
  }

  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting && entry.intersectionRatio >= 0.6) show(entry.target);
        else if (entry.target === current && entry.intersectionRatio < 0.4) pause(entry.target);
      }
    },
    { root: feed, threshold: [0.4, 0.6] }
  );

  // ------------------------------------------------------------------ loading

  async function loadMore() {
    if (loading || finished) return;
    loading = true;
    feed.setAttribute("aria-busy", "true");
    try {
      const url = "/api/feed?limit=" + PAGE + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      let page;
      try {
        page = await api("GET", url);
      } catch (err) {
        if (err.code === "invalid_cursor") {
          cursor = null; // the frozen ranking expired: continue from a fresh one
          page = await api("GET", "/api/feed?limit=" + PAGE);
        } else {
          throw err;
        }
      }
      for (const video of page.items) {
        if (shownIds.has(video.id)) continue;
        shownIds.add(video.id);
        const section = itemFor(video);
        feed.insertBefore(section, emptyBox);
        observer.observe(section);
      }
      cursor = page.next_cursor;
      if (!cursor) {
        finished = true;
        if (shownIds.size) feed.insertBefore(h("div", { class: "feed-end", text: "You're all caught up ✨" }), emptyBox);
      }
      emptyBox.hidden = shownIds.size > 0;
      if (page.items.length === 0 && cursor) {
        loading = false;
        return loadMore(); // a page whose videos all went away meanwhile
      }
    } catch (err) {
      toast(err.message, "error");
    } finally {
      loading = false;
      feed.setAttribute("aria-busy", "false");
    }
  }

  // ------------------------------------------------------------------ actions

  async function toggleLike(section, button) {
    if (needSignIn()) return;
    const liked = button.getAttribute("aria-pressed") === "true";
    try {
      const state = await api(liked ? "DELETE" : "POST", "/api/videos/" + section.dataset.id + "/like");
      button.setAttribute("aria-pressed", state.liked ? "true" : "false");
      button.setAttribute("aria-label", state.liked ? "Unlike" : "Like");
      button.querySelector(".rail-count").textContent = count(state.like_count);
    } catch (err) {
      toast(err.message, "error");
    }
  }

  async function toggleFollow(section, button) {
    const following = button.getAttribute("aria-pressed") === "true";
    const handle = section.dataset.author;
    try {
      await api(following ? "DELETE" : "POST", "/api/users/" + encodeURIComponent(handle) + "/follow");
      for (const other of feed.querySelectorAll('.feed-item[data-author="' + CSS.escape(handle) + '"] .feed-follow')) {
        other.setAttribute("aria-pressed", following ? "false" : "true");
        other.textContent = following ? "Follow" : "Following";
      }
    } catch (err) {
      toast(err.message, "error");
    }
  }

  async function share(section) {
    const url = new URL("/v/" + section.dataset.id, window.location.origin).toString();
    const video = section.video;
    try {
      if (navigator.share) {
        await navigator.share({ title: "Kinema", text: video.caption || video.prompt, url });
      } else {
        await navigator.clipboard.writeText(url);
        toast("Link copied");
      }
    } catch (err) {
      if (err && err.name !== "AbortError") toast("Copy this link: " + url);
    }
  }

  async function notInterested(section) {
    try {
      await api("POST", "/api/videos/" + section.dataset.id + "/not-interested");
      toast("You won't see this video again");
      const next = section.nextElementSibling;
      observer.unobserve(section);
      if (current === section) {
        pause(section);
        current = null;
      }
      section.remove();
      if (next && next.classList.contains("feed-item")) next.scrollIntoView({ behavior: "smooth" });
    } catch (err) {
      toast(err.message, "error");
    }
  }

  // ------------------------------------------------------------------ sheets

  const backdrop = document.getElementById("sheet-backdrop");
  let openSheet = null;
  let sheetSection = null;

  function showSheet(sheet, section) {
    closeSheet();
    openSheet = sheet;
    sheetSection = section;
    sheet.hidden = false;
    backdrop.hidden = false;
    const field = sheet.querySelector("input");
    if (field && window.matchMedia("(pointer: fine)").matches) field.focus();
  }

  function closeSheet() {
    if (!openSheet) return;
    openSheet.hidden = true;
    backdrop.hidden = true;
    openSheet = null;
    feed.focus({ preventScroll: true });
  }

  backdrop.addEventListener("click", closeSheet);
  for (const button of document.querySelectorAll("[data-close-sheet]")) button.addEventListener("click", closeSheet);

  // Comments
  const commentsSheet = document.getElementById("comments-sheet");
  const commentList = document.getElementById("comment-list");
  const commentMore = document.getElementById("comment-more");
  let commentCursor = null;

  function commentRow(comment) {
    return h(
      "li",
      {},
      h("a", { class: "who", href: "/u/" + encodeURIComponent(comment.author.handle), text: "@" + comment.author.handle }),
      h("span", { text: comment.text }),
      h("span", { class: "when", text: timeAgo(comment.created_at) })
    );
  }

  async function loadComments(more) {
    const id = sheetSection.dataset.id;
    const url = "/api/videos/" + id + "/comments?limit=20" + (more && commentCursor ? "&cursor=" + encodeURIComponent(commentCursor) : "");
    try {
      const page = await api("GET", url);
      if (!more) commentList.replaceChildren();
      for (const comment of page.items) commentList.append(commentRow(comment));
      if (!commentList.children.length) commentList.append(h("li", { class: "when", text: "No comments yet. Say something nice." }));
      commentCursor = page.next_cursor;
      commentMore.hidden = !commentCursor;
    } catch (err) {
      toast(err.message, "error");
    }
  }

  function openComments(section) {
    showSheet(commentsSheet, section);
    commentList.replaceChildren();
    loadComments(false);
  }

  commentMore.addEventListener("click", () => loadComments(true));
  document.getElementById("comment-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (needSignIn()) return;
    const field = document.getElementById("comment-text");
    const text = field.value.trim();
    if (!text) return;
    try {
      const made = await api("POST", "/api/videos/" + sheetSection.dataset.id + "/comments", { text });
      const placeholder = commentList.querySelector("li.when");
      if (placeholder) placeholder.remove();
      commentList.prepend(commentRow(made.comment));
      field.value = "";
      const counter = sheetSection.querySelector('[data-action="comment"] .rail-count');
      sheetSection.video.comment_count += 1;
      counter.textContent = count(sheetSection.video.comment_count);
    } catch (err) {
      toast(err.message, "error");
    }
  });

  // Remix
  const remixSheet = document.getElementById("remix-sheet");
  const remixList = document.getElementById("remix-list");
  const remixProgress = document.getElementById("remix-progress");
  const remixBar = document.getElementById("remix-bar");
  const remixStatus = document.getElementById("remix-status");

  async function openRemix(section) {
    showSheet(remixSheet, section);
    remixProgress.hidden = true;
    remixList.replaceChildren();
    const lineageBox = document.getElementById("remix-lineage");
    lineageBox.textContent = "";
    try {
      const lineage = await api("GET", "/api/videos/" + section.dataset.id + "/lineage");
      if (lineage.depth > 0 && lineage.root) {
        lineageBox.replaceChildren(
          "Generation " + (lineage.depth + 1) + " of a chain started by ",
          h("a", { href: "/v/" + encodeURIComponent(lineage.root.id), text: "@" + lineage.root.author.handle })
        );
      }
      document.getElementById("remix-list-title").hidden = lineage.children.length === 0;
      for (const child of lineage.children) {
        remixList.append(
          h(
            "li",
            {},
            h(
              "a",
              { href: "/v/" + encodeURIComponent(child.id), class: "remix-link" },
              h("img", { src: child.thumbnail_url, alt: "", loading: "lazy" }),
              h("span", { text: "@" + child.author.handle + " · " + child.prompt })
            )
          )
        );
      }
    } catch (err) {
      toast(err.message, "error");
    }
  }

  async function followGeneration(generationId) {
    for (;;) {
      const generation = await api("GET", "/api/generations/" + generationId);
      remixBar.style.width = generation.progress + "%";
      if (generation.status === "completed") return generation;
      if (generation.status === "failed") throw new Error(generation.error || "The remix could not be made.");
      remixStatus.textContent = "Making your remix… " + generation.progress + "%";
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  document.getElementById("remix-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (needSignIn()) return;
    const field = document.getElementById("remix-prompt");
    const prompt = field.value.trim();
    if (!prompt) {
      field.focus();
      return;
    }
    const submit = event.target.querySelector("button[type=submit]");
    submit.disabled = true;
    remixProgress.hidden = false;
    remixBar.style.width = "0";
    remixStatus.textContent = "Starting your remix…";
    try {
      const answer = await api("POST", "/api/videos/" + sheetSection.dataset.id + "/remix", { prompt });
      const done = await followGeneration(answer.generation.id);
      remixStatus.replaceChildren(
        "Your remix is ready as a draft. ",
        h("a", { href: "/v/" + encodeURIComponent(done.video_id), class: "remix-open", text: "Open your remix" })
      );
      field.value = "";
    } catch (err) {
      remixStatus.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });

  // ------------------------------------------------------------------ steering

  const steerToggle = document.getElementById("feed-steer-toggle");
  const steerForm = document.getElementById("feed-steer-form");
  const steerField = document.getElementById("feed-instruction");
  const understood = document.getElementById("feed-steer-understood");

  function describe(settings) {
    const parts = [];
    if (settings.boosts.length) parts.push("More: " + settings.boosts.join(", "));
    if (settings.reductions.length) parts.push("Less: " + settings.reductions.join(", "));
    if (settings.exclusions.length) parts.push("Never: " + settings.exclusions.join(", "));
    understood.textContent = parts.join(" · ");
  }

  steerToggle.addEventListener("click", async () => {
    if (needSignIn()) return;
    const open = steerForm.hidden;
    steerForm.hidden = !open;
    steerToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      try {
        const settings = await api("GET", "/api/me/feed");
        steerField.value = settings.instruction;
        describe(settings);
      } catch (err) {
        toast(err.message, "error");
      }
      steerField.focus();
    }
  });

  async function steer(instruction) {
    try {
      const settings = await api("PUT", "/api/me/feed", { instruction });
      describe(settings);
      restart();
      toast(instruction ? "Your feed is tuned" : "Back to your usual feed");
    } catch (err) {
      understood.textContent = err.message;
    }
  }

  steerForm.addEventListener("submit", (event) => {
    event.preventDefault();
    steer(steerField.value.trim());
  });
  document.getElementById("feed-steer-clear").addEventListener("click", () => {
    steerField.value = "";
    steer("");
  });

  function restart() {
    for (const section of feed.querySelectorAll(".feed-item, .feed-end")) {
      observer.unobserve(section);
      section.remove();
    }
    current = null;
    cursor = null;
    finished = false;
    shownIds.clear();
    feed.scrollTop = 0;
    loadMore();
  }

  // ------------------------------------------------------------------ input

  feed.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const section = target.closest(".feed-item");
    if (!section) return;
    const action = target.closest("[data-action]");
    if (action) {
      event.preventDefault();
      const kind = action.dataset.action;
      if (kind === "like") toggleLike(section, action);
      else if (kind === "comment") openComments(section);
      else if (kind === "remix") openRemix(section);
      else if (kind === "share") share(section);
      else if (kind === "follow") toggleFollow(section, action);
      else if (kind === "not-interested") notInterested(section);
      return;
    }
    if (target.tagName === "VIDEO") {
      // The first tap turns sound on (and is remembered); later taps pause and play.
      if (!soundOn) {
        setSound(true);
        play(section);
        return;
      }
      const v = section.querySelector("video");
      if (v.paused) play(section);
      else {
        v.pause();
        section.classList.add("paused");
      }
    }
  });

  feed.addEventListener("dblclick", (event) => {
    const section = event.target instanceof Element ? event.target.closest(".feed-item") : null;
    const like = section && section.querySelector('[data-action="like"]');
    if (like && like.getAttribute("aria-pressed") !== "true") toggleLike(section, like);
  });

  soundButton.addEventListener("click", () => {
    setSound(!soundOn);
    if (current) play(current);
  });

  function step(direction) {
    const items = Array.from(feed.querySelectorAll(".feed-item"));
    const index = current ? items.indexOf(current) : -1;
    const next = items[Math.max(0, Math.min(items.length - 1, index + direction))];
    if (next) next.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  document.addEventListener("keydown", (event) => {
    if (openSheet) {
      if (event.key === "Escape") closeSheet();
      return;
    }
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === "ArrowDown" || key === "j" || key === "PageDown") step(1);
    else if (key === "ArrowUp" || key === "k" || key === "PageUp") step(-1);
    else if (key === " " && current) {
      const v = current.querySelector("video");
      if (v.paused) play(current);
      else {
        v.pause();
        current.classList.add("paused");
      }
    } else if (key === "m") setSound(!soundOn);
    else if (key === "l" && current) toggleLike(current, current.querySelector('[data-action="like"]'));
    else return;
    event.preventDefault();
  });

  document.addEventListener("visibilitychange", () => {
    if (!current) return;
    if (document.hidden) {
      pause(current);
      flushSeen();
    } else play(current);
  });
  window.addEventListener("pagehide", flushSeen);

  applySound();
  loadMore();
  feed.focus({ preventScroll: true });
})();
