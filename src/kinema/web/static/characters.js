/* Kinema: the characters page. Record a capture clip from the camera (MediaRecorder)
   while showing the challenge phrase and turns, or pick a file; then manage each
   character's permission, preferences and appearances. */
(function () {
  "use strict";
  const { api, toast, showFormError } = window.Kinema;

  const form = document.getElementById("character-form");
  const errorBox = document.getElementById("character-error");
  const kindInput = document.getElementById("character-kind");
  const challengeBox = document.getElementById("challenge-box");
  const challengeButton = document.getElementById("challenge-button");
  const phraseLine = document.getElementById("challenge-phrase");
  const turnList = document.getElementById("challenge-turns");
  const camera = document.getElementById("camera");
  const cue = document.getElementById("camera-cue");
  const cameraButton = document.getElementById("camera-button");
  const fileInput = document.getElementById("character-file");
  const clipInfo = document.getElementById("clip-info");
  const list = document.getElementById("character-list");

  let challenge = null;
  let clip = null; // a Blob or File
  let clipName = "capture.webm";

  const TURN_WORDS = {
    left: "Turn your head to your left",
    right: "Turn your head to your right",
    up: "Look up",
    down: "Look down",
  };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function syncKind() {
    challengeBox.hidden = kindInput.value !== "person";
  }
  kindInput.addEventListener("change", syncKind);
  syncKind();

  async function newChallenge() {
    challenge = await api("POST", "/api/characters/challenge");
    phraseLine.textContent = "Say: \u201c" + challenge.phrase + "\u201d";
    phraseLine.hidden = false;
    turnList.replaceChildren(...challenge.turns.map((t) => el("li", {}, TURN_WORDS[t] || t)));
    turnList.hidden = false;
    return challenge;
  }

  challengeButton.addEventListener("click", () => {
    newChallenge().catch((err) => showFormError(errorBox, err.message));
  });

  function setClip(blob, name) {
    clip = blob;
    clipName = name;
    clipInfo.textContent = "Ready: " + name + " (" + (blob.size / 1048576).toFixed(1) + " MB).";
  }

  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    if (file) setClip(file, file.name);
  });

  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function record() {
    if (!window.MediaRecorder || !navigator.mediaDevices) {
      throw new Error("This browser cannot record; choose a video file instead.");
    }
    if (kindInput.value === "person" && !challenge) await newChallenge();
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    camera.srcObject = stream;
    camera.hidden = false;
    await camera.play();
    const chunks = [];
    const recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (event) => event.data.size && chunks.push(event.data));
    const stopped = new Promise((resolve) => recorder.addEventListener("stop", resolve));
    recorder.start();
    try {
      // Face the camera and say the phrase, then each turn with a return to the front.
      cue.textContent = challenge && kindInput.value === "person"
        ? "Look at the camera and say: \u201c" + challenge.phrase + "\u201d"
        : "Recording: keep the subject in the middle of the picture.";
      await wait(3000);
      for (const turn of (kindInput.value === "person" && challenge ? challenge.turns : [])) {
        cue.textContent = TURN_WORDS[turn] + "…";
        await wait(1500);
        cue.textContent = "Back to the camera.";
        await wait(1200);
      }
      await wait(kindInput.value === "person" ? 500 : 1500);
    } finally {
      recorder.stop();
      await stopped;
      stream.getTracks().forEach((track) => track.stop());
      camera.hidden = true;
    }
    cue.textContent = "Recorded.";
    const type = recorder.mimeType || "video/webm";
    setClip(new Blob(chunks, { type }), type.includes("mp4") ? "capture.mp4" : "capture.webm");
  }

  cameraButton.addEventListener("click", () => {
    cameraButton.disabled = true;
    record()
      .catch((err) => showFormError(errorBox, err.message || "The camera could not be used."))
      .finally(() => (cameraButton.disabled = false));
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    if (!clip) {
      showFormError(errorBox, "Record a clip or choose a video file first.");
      return;
    }
    const data = new FormData(form);
    data.set("video", clip, clipName);
    if (kindInput.value === "person") {
      if (!challenge) {
        showFormError(errorBox, "Show your phrase and turns, then record while following them.");
        return;
      }
      data.set("challenge_id", challenge.id);
    }
    const button = document.getElementById("character-submit");
    button.disabled = true;
    try {
      const { character } = await api("POST", "/api/characters", data);
      toast("Checking your recording…");
      challenge = null;
      clip = null;
      form.reset();
      syncKind();
      phraseLine.hidden = turnList.hidden = true;
      clipInfo.textContent = "3 to 15 seconds, with sound.";
      await waitForCheck(character.id);
    } catch (err) {
      showFormError(errorBox, err.message);
    } finally {
      button.disabled = false;
      load();
    }
  });

  async function waitForCheck(id) {
    for (let i = 0; i < 120; i += 1) {
      const character = await api("GET", "/api/characters/" + id);
      if (character.status !== "verifying") {
        if (character.status === "verified") toast("@" + character.handle + " is ready.");
        else toast(character.reason || "The recording was not accepted.", "error");
        return;
      }
      await wait(1500);
    }
  }

  function permissionEditor(character) {
    const select = el("select", { class: "input", "aria-label": "Who may use @" + character.handle });
    const levels = { only_me: "Only me", approved: "People I approve", mutuals: "Mutual followers", everyone: "Everyone" };
    for (const [value, label] of Object.entries(levels)) {
      const option = el("option", { value }, label);
      if (value === character.permission.level) option.selected = true;
      select.append(option);
    }
    const handles = el("input", {
      class: "input",
      placeholder: "handles, separated by commas",
      "aria-label": "Approved handles",
      value: character.permission.approved.join(", "),
    });
    const save = el("button", { class: "btn btn-sm", type: "button" }, "Save");
    save.addEventListener("click", async () => {
      try {
        await api("PUT", "/api/characters/" + character.id + "/permission", {
          level: select.value,
          approved: handles.value.split(",").map((h) => h.trim().replace(/^@/, "")).filter(Boolean),
        });
        toast("Permission saved.");
      } catch (err) {
        toast(err.message, "error");
      }
    });
    return el("div", { class: "field" }, el("span", { class: "field-label" }, "Who may use it"), select, handles, save);
  }

  function preferencesEditor(character) {
    const text = el("textarea", { class: "input", rows: "2", "aria-label": "Preferences for @" + character.handle,
      placeholder: "always wears a red cap; no political content" });
    text.value = character.instructions || "";
    const save = el("button", { class: "btn btn-sm", type: "button" }, "Save");
    save.addEventListener("click", async () => {
      try {
        await api("PUT", "/api/characters/" + character.id + "/preferences", { instructions: text.value });
        toast("Preferences saved.");
      } catch (err) {
        toast(err.message, "error");
      }
    });
    return el("div", { class: "field" }, el("span", { class: "field-label" }, "Preferences"), text, save);
  }

  async function appearancesList(character) {
    const box = el("div", { class: "field" }, el("span", { class: "field-label" }, "Videos it appears in"));
    const { items } = await api("GET", "/api/characters/" + character.id + "/appearances");
    if (!items.length) box.append(el("p", { class: "faint" }, "None yet."));
    for (const item of items) {
      const row = el("div", { class: "meta" }, "@" + item.author + " · " + item.status + " · " + item.prompt + " ");
      if (item.status !== "removed") {
        row.append(el("button", {
          class: "btn btn-danger btn-sm", type: "button",
          onclick: async () => {
            if (!confirm("Take this video down for everyone?")) return;
            try {
              await api("DELETE", "/api/characters/" + character.id + "/appearances/" + item.video_id);
              toast("The video was taken down.");
              load();
            } catch (err) {
              toast(err.message, "error");
            }
          },
        }, "Take down"));
      }
      box.append(row);
    }
    return box;
  }

  async function card(character) {
    const head = el("div", { class: "page-head" },
      el("div", {}, el("h3", {}, character.name + " @" + character.handle),
        el("p", { class: "muted" }, character.kind + " · " + character.status + (character.reason ? " — " + character.reason : ""))));
    const node = el("article", { class: "card" }, head);
    if (character.cutout_url) {
      node.append(el("img", { src: character.cutout_url, alt: "Cutout of " + character.name, height: "120" }));
    }
    if (!character.is_owner) return node;
    if (character.status === "verified") {
      node.append(permissionEditor(character), preferencesEditor(character), await appearancesList(character));
    }
    node.append(el("button", {
      class: "btn btn-danger btn-sm", type: "button",
      onclick: async () => {
        if (!confirm("Delete @" + character.handle + "? Its recording data is deleted and every video showing it is taken down.")) return;
        try {
          await api("DELETE", "/api/characters/" + character.id);
          toast("Deleted.");
          load();
        } catch (err) {
          toast(err.message, "error");
        }
      },
    }, "Delete character"));
    return node;
  }

  async function load() {
    try {
      const { items } = await api("GET", "/api/characters");
      const cards = await Promise.all(items.map(card));
      list.replaceChildren(...(cards.length ? cards : [el("p", { class: "muted" }, "No characters yet.")]));
    } catch (err) {
      list.replaceChildren(el("p", { class: "form-error" }, err.message));
    }
  }

  load();
})();
