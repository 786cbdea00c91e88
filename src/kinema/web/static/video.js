/* Video page: like, remix with live progress, publish a draft, share, delete your own. */
(function () {
  "use strict";
  const { api, toast, showFormError, followGeneration } = window.Kinema;
  const article = document.getElementById("video");
  if (!article) return;
  const videoId = article.dataset.videoId;
  const base = "/api/videos/" + encodeURIComponent(videoId);

  const like = document.getElementById("like");
  if (like) {
    like.addEventListener("click", async () => {
      if (like.hasAttribute("data-sign-in")) {
        window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
        return;
      }
      const liked = like.getAttribute("aria-pressed") === "true";
      like.disabled = true;
      try {
        const state = await api(liked ? "DELETE" : "POST", base + "/like");
        like.setAttribute("aria-pressed", state.liked ? "true" : "false");
        like.classList.toggle("on", state.liked);
        const count = document.getElementById("like-count");
        count.textContent = String(state.like_count);
        count.nextSibling.textContent = state.like_count === 1 ? " like" : " likes";
      } catch (err) {
        toast(err.message, "error");
      } finally {
        like.disabled = false;
      }
    });
  }

  const publishForm = document.getElementById("publish-form");
  if (publishForm) {
    publishForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = document.getElementById("publish");
      button.disabled = true;
      try {
        await api("POST", base + "/publish", { caption: document.getElementById("caption").value.trim() });
        toast("Published: it is in the feed now.", "ok");
        window.location.reload();
      } catch (err) {
        toast(err.message, "error");
        button.disabled = false;
      }
    });
  }

  const share = document.getElementById("share");
  if (share) {
    share.addEventListener("click", async () => {
      const url = share.dataset.url || window.location.href;
      if (navigator.share) {
        try {
          await navigator.share({ title: document.title, url: url });
        } catch (err) {
          /* Closing the share sheet is not an error. */
        }
        return;
      }
      try {
        await navigator.clipboard.writeText(url);
        toast("Link copied.", "ok");
      } catch (err) {
        window.prompt("Copy this link:", url);
      }
    });
  }

  const remove = document.getElementById("delete");
  if (remove) {
    remove.addEventListener("click", async () => {
      if (!window.confirm("Delete this video for good? This cannot be undone.")) return;
      remove.disabled = true;
      try {
        await api("DELETE", base);
        window.location.assign(article.dataset.status === "draft" ? "/drafts" : "/");
      } catch (err) {
        toast(err.message, "error");
        remove.disabled = false;
      }
    });
  }

  setUpRemix();

  /** The remix sheet: a prompt, then the new generation's progress (SSE, polling as a
   *  fallback), then a link to the new draft. */
  function setUpRemix() {
    const open = document.getElementById("remix");
    const sheet = document.getElementById("remix-sheet");
    if (!open || !sheet) return;
    const form = document.getElementById("remix-form");
    const input = document.getElementById("remix-prompt");
    const errorBox = document.getElementById("remix-error");
    const progress = document.getElementById("remix-progress");
    const bar = document.getElementById("remix-bar");
    const barBox = document.getElementById("remix-bar-box");
    const statusText = document.getElementById("remix-status");
    const percent = document.getElementById("remix-percent");
    const openDraft = document.getElementById("remix-open");
    const submit = document.getElementById("remix-submit");
    let tracking = null;

    open.addEventListener("click", () => {
      sheet.showModal();
      input.focus();
    });
    document.getElementById("remix-close").addEventListener("click", () => sheet.close());
    sheet.addEventListener("click", (event) => {
      // A tap on the backdrop (the dialog box itself, outside its content) closes it.
      if (event.target === sheet) sheet.close();
    });
    for (const chip of sheet.querySelectorAll("[data-idea]")) {
      chip.addEventListener("click", () => {
        input.value = chip.dataset.idea;
        input.focus();
      });
    }

    function paint(status, value) {
      const shown = Math.max(0, Math.min(100, Math.round(Number(value) || 0)));
      bar.style.width = shown + "%";
      barBox.setAttribute("aria-valuenow", String(shown));
      percent.textContent = shown + "%";
      statusText.textContent =
        status === "queued" ? "Waiting for a free worker…" : status === "completed" ? "Done" : "Rendering your remix…";
    }

    function stop() {
      if (!tracking) return;
      tracking.finished = true;
      if (tracking.stop) tracking.stop();
    }

    function finish(generation) {
      stop();
      if (generation.status === "failed") {
        const error = generation.error;
        progress.hidden = true;
        form.hidden = false;
        submit.disabled = false;
        showFormError(errorBox, (error && (error.message || error)) || "The remix could not be rendered. Please try again.");
        return;
      }
      paint("completed", 100);
      const done = (id) => {
        openDraft.href = "/v/" + encodeURIComponent(id);
        openDraft.hidden = false;
        openDraft.focus();
      };
      if (generation.video_id) {
        done(generation.video_id);
      } else {
        api("GET", "/api/generations/" + encodeURIComponent(generation.id))
          .then((answer) => done(answer.video_id))
          .catch((err) => toast(err.message, "error"));
      }
    }

    function handle(update) {
      if (!tracking || tracking.finished || !update) return;
      const generation = update.generation || update;
      paint(generation.status, generation.progress);
      if (generation.status === "completed" || generation.status === "failed") {
        finish(Object.assign({ id: tracking.id }, generation));
      }
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorBox.hidden = true;
      const prompt = input.value.trim();
      if (!prompt) {
        showFormError(errorBox, "Say what should change, for example “make it night”.");
        input.focus();
        return;
      }
      submit.disabled = true;
      try {
        const answer = await api("POST", base + "/remix", { prompt: prompt });
        stop();
        tracking = { id: answer.generation.id, stop: null, finished: false };
        form.hidden = true;
        progress.hidden = false;
        openDraft.hidden = true;
        handle(answer.generation);
        if (!tracking.finished) tracking.stop = followGeneration(answer.generation.id, handle);
      } catch (err) {
        showFormError(errorBox, err.message);
        submit.disabled = false;
      }
    });
  }
})();
