/* Create: prompt + options -> POST /api/generations -> live progress (SSE, polling as a
   fallback) -> the finished draft with Publish and Open. */
(function () {
  "use strict";
  const { api, toast, showFormError, followGeneration, captionTrack } = window.Kinema;

  const form = document.getElementById("create-form");
  if (!form) return;
  const sizes = JSON.parse(form.dataset.sizes || "{}");
  const prompt = document.getElementById("prompt");
  const count = document.getElementById("prompt-count");
  const errorBox = document.getElementById("form-error");
  const generate = document.getElementById("generate");

  const panels = {
    idle: document.getElementById("idle-panel"),
    progress: document.getElementById("progress-panel"),
    failed: document.getElementById("failed-panel"),
    result: document.getElementById("result-panel"),
  };
  const stageLabel = document.getElementById("stage-label");
  const percent = document.getElementById("progress-percent");
  const progressBar = document.getElementById("progress-bar");
  const progress = document.getElementById("progress");
  const steps = Array.from(document.querySelectorAll("#steps li"));

  const STEP_ORDER = ["planning", "rendering", "sound", "encoding"];
  const STAGE_LABELS = {
    queued: "Waiting in line",
    planning: "Planning the scene",
    rendering: "Rendering frames",
    sound: "Making the sound",
    encoding: "Encoding the video",
  };
  const ACTIVE_KEY = "kinema.activeGeneration";

  let imageId = null;
  let uploading = false;
  let tracking = null; // {id, stop, finished, shown}

  function show(name) {
    for (const [key, panel] of Object.entries(panels)) panel.hidden = key !== name;
  }

  // On a phone the output sits below the form: bring it into view when it changes.
  function reveal() {
    const output = document.getElementById("output");
    const box = output.getBoundingClientRect();
    if (box.top > window.innerHeight * 0.6 || box.bottom < 0) {
      output.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  function updateCount() {
    count.textContent = prompt.value.length + " / " + prompt.maxLength;
  }
  prompt.addEventListener("input", updateCount);
  updateCount();

  for (const chip of document.querySelectorAll(".chip[data-prompt]")) {
    chip.addEventListener("click", () => {
      prompt.value = chip.dataset.prompt;
      updateCount();
      prompt.focus();
    });
  }

  // ---------- optional image ----------

  const imageInput = document.getElementById("image");
  const imagePreview = document.getElementById("image-preview");
  const imagePreviewImg = document.getElementById("image-preview-img");
  const imageRemove = document.getElementById("image-remove");
  const imageButtonText = document.getElementById("image-button-text");

  function clearImage() {
    imageId = null;
    imageInput.value = "";
    if (imagePreviewImg.src) URL.revokeObjectURL(imagePreviewImg.src);
    imagePreviewImg.removeAttribute("src");
    imagePreview.hidden = true;
    imageRemove.hidden = true;
    imageButtonText.textContent = "Add a photo";
  }

  imageRemove.addEventListener("click", clearImage);

  imageInput.addEventListener("change", async () => {
    const file = imageInput.files && imageInput.files[0];
    if (!file) return;
    errorBox.hidden = true;
    imageId = null;
    if (imagePreviewImg.src) URL.revokeObjectURL(imagePreviewImg.src);
    imagePreviewImg.src = URL.createObjectURL(file);
    imagePreview.hidden = false;
    imagePreview.classList.add("uploading");
    imageRemove.hidden = false;
    imageButtonText.textContent = "Uploading…";
    uploading = true;
    generate.disabled = true;
    const body = new FormData();
    body.append("file", file, file.name);
    try {
      const upload = await api("POST", "/api/uploads", body);
      imageId = upload.id;
      imageButtonText.textContent = "Change photo";
    } catch (err) {
      clearImage();
      showFormError(errorBox, err.message);
    } finally {
      imagePreview.classList.remove("uploading");
      uploading = false;
      generate.disabled = false;
    }
  });

  // ---------- progress ----------

  function stepFor(stage, value) {
    const name = (stage || "").toLowerCase();
    if (name.includes("plan")) return "planning";
    if (/(render|frame|draw|animat|video)/.test(name)) return "rendering";
    if (/(sound|audio|speech|voice|music|mix|tts)/.test(name)) return "sound";
    if (/(encod|mux|finish|stor|upload|mark|thumb|sign|sav)/.test(name)) return "encoding";
    if (value >= 90) return "encoding";
    if (value >= 70) return "sound";
    if (value >= 8) return "rendering";
    return "planning";
  }

  function paint(status, value, stage) {
    const shown = Math.max(tracking ? tracking.shown : 0, Math.min(100, Math.round(value || 0)));
    if (tracking) tracking.shown = shown;
    progressBar.style.width = shown + "%";
    percent.textContent = shown + "%";
    progress.setAttribute("aria-valuenow", String(shown));
    let current;
    if (status === "queued") {
      stageLabel.textContent = STAGE_LABELS.queued;
      current = -1;
    } else {
      const step = status === "completed" ? "done" : stepFor(stage, shown);
      stageLabel.textContent = step === "done" ? "Done" : STAGE_LABELS[step];
      current = step === "done" ? STEP_ORDER.length : STEP_ORDER.indexOf(step);
    }
    steps.forEach((item, index) => {
      item.classList.toggle("done", index < current);
      item.classList.toggle("active", index === current);
    });
  }

  function stopTracking() {
    if (!tracking) return;
    tracking.finished = true;
    if (tracking.stop) tracking.stop();
    sessionStorage.removeItem(ACTIVE_KEY);
  }

  async function finish(update) {
    if (!tracking || tracking.finished) return;
    const id = tracking.id;
    stopTracking();
    if (update.status === "failed") {
      document.getElementById("failed-message").textContent =
        update.error && (update.error.message || update.error)
          ? update.error.message || update.error
          : "Something went wrong while rendering. Please try again.";
      show("failed");
      reveal();
      generate.disabled = false;
      return;
    }
    paint("completed", 100, "done");
    let videoId = update.video_id;
    try {
      if (!videoId) videoId = (await api("GET", "/api/generations/" + encodeURIComponent(id))).video_id;
      const video = await api("GET", "/api/videos/" + encodeURIComponent(videoId));
      showResult(video);
    } catch (err) {
      toast(err.message, "error");
    }
    generate.disabled = false;
  }

  function handle(update) {
    if (!tracking || tracking.finished || !update) return;
    const generation = update.generation || update;
    paint(generation.status, generation.progress, generation.stage);
    if (generation.status === "completed" || generation.status === "failed") finish(generation);
  }

  function track(generation, promptText) {
    stopTracking();
    tracking = { id: generation.id, stop: null, finished: false, shown: 0 };
    sessionStorage.setItem(ACTIVE_KEY, JSON.stringify({ id: generation.id, prompt: promptText }));
    document.getElementById("progress-prompt").textContent = promptText ? "“" + promptText + "”" : "";
    show("progress");
    reveal();
    handle(generation);
    if (!tracking.finished) {
      tracking.stop = followGeneration(generation.id, handle, (err) => {
        stopTracking();
        showFormError(errorBox, err.message);
        show("idle");
        generate.disabled = false;
      });
    }
  }

  // What the engine made of the prompt: words it drew as something close ("falcon → bird"),
  // a place it guessed, and words it did not understand.
  function showUnderstanding(plan) {
    const list = document.getElementById("result-notes");
    list.replaceChildren();
    const add = (text) => {
      const item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    };
    const understood = plan.understood || {};
    const taken = Object.keys(understood).map((word) => word + " → " + understood[word]);
    if (taken.length) add("Drawn as the closest thing: " + taken.join(", "));
    const shots = plan.shots || [];
    if (shots.length && shots[0].setting_guessed) {
      add("No place was named, so it is set in: " + String(shots[0].setting || "").replace(/_/g, " "));
    }
    const unknown = plan.unknown_words || [];
    if (unknown.length) add("Not understood: " + unknown.join(", "));
    list.hidden = !list.children.length;
  }

  function showResult(video) {
    const player = document.getElementById("result-player");
    const element = document.getElementById("result-video");
    const size = String(video.size || "");
    const [w, h] = size.split("x").map(Number);
    player.classList.toggle("portrait", Boolean(w && h && h > w));
    element.poster = video.thumbnail_url || "";
    element.src = video.content_url;
    for (const old of element.querySelectorAll("track")) old.remove();
    const track = captionTrack(video);
    if (track) element.appendChild(track);
    document.getElementById("result-prompt").textContent = video.prompt || "";
    showUnderstanding(video.plan || {});
    document.getElementById("open-video").href = "/v/" + encodeURIComponent(video.id);
    const publishForm = document.getElementById("publish-form");
    publishForm.dataset.videoId = video.id;
    show("result");
    reveal();
  }

  // ---------- submit ----------

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const text = prompt.value.trim();
    if (!text) {
      showFormError(errorBox, "Write a prompt first: describe what should happen in your video.");
      prompt.focus();
      return;
    }
    if (uploading) {
      showFormError(errorBox, "Wait a moment: your image is still uploading.");
      return;
    }
    const seconds = Number(form.elements.namedItem("seconds").value);
    const shape = form.elements.namedItem("shape").value;
    const quality = form.elements.namedItem("quality").value;
    const request = { prompt: text, seconds: seconds, size: (sizes[shape] || {})[quality] };
    if (imageId) request.image_id = imageId;
    if (form.elements.namedItem("captions").checked) request.captions = true;
    generate.disabled = true;
    try {
      const answer = await api("POST", "/api/generations", request);
      track(answer.generation || answer, text);
    } catch (err) {
      showFormError(errorBox, err.message);
      generate.disabled = false;
    }
  });

  document.getElementById("try-again").addEventListener("click", () => {
    show("idle");
    prompt.focus();
  });

  document.getElementById("publish-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const publishForm = event.currentTarget;
    const videoId = publishForm.dataset.videoId;
    const button = document.getElementById("publish");
    button.disabled = true;
    try {
      await api("POST", "/api/videos/" + encodeURIComponent(videoId) + "/publish", {
        caption: document.getElementById("caption").value.trim(),
      });
      window.location.assign("/v/" + encodeURIComponent(videoId));
    } catch (err) {
      toast(err.message, "error");
      button.disabled = false;
    }
  });

  // A reload while a video renders picks the progress back up.
  const saved = sessionStorage.getItem(ACTIVE_KEY);
  if (saved) {
    try {
      const active = JSON.parse(saved);
      api("GET", "/api/generations/" + encodeURIComponent(active.id))
        .then((generation) => {
          if (generation.status === "queued" || generation.status === "in_progress") {
            prompt.value = active.prompt || "";
            updateCount();
            generate.disabled = true;
            track(generation, active.prompt || "");
          } else {
            sessionStorage.removeItem(ACTIVE_KEY);
          }
        })
        .catch(() => sessionStorage.removeItem(ACTIVE_KEY));
    } catch (err) {
      sessionStorage.removeItem(ACTIVE_KEY);
    }
  }
})();
