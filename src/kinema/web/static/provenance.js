/* Provenance check: upload a file, show whether it came from this instance. */
(function () {
  "use strict";
  const { api, showFormError } = window.Kinema;
  const form = document.getElementById("check-form");
  if (!form) return;
  const error = document.getElementById("form-error");
  const result = document.getElementById("check-result");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const input = document.getElementById("file");
    if (!input.files || !input.files.length) {
      showFormError(error, "Choose a video or a picture first.");
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = "Checking…";
    const body = new FormData();
    body.append("file", input.files[0]);
    try {
      const answer = await api("POST", "/api/provenance/check", body);
      const percent = Math.round(answer.similarity * 100);
      document.getElementById("check-verdict").textContent = answer.match
        ? "Made on this Kinema instance."
        : "No match: this was not made here, as far as Kinema can tell.";
      document.getElementById("check-meter").style.width = percent + "%";
      const details = ["Similarity " + percent + "%."];
      if (answer.signed_here) details.push("It carries content credentials signed by this instance.");
      if (answer.marked_video_id_found) details.push("Its hidden video id was read.");
      if (answer.match && !answer.video_id) details.push("The original is not shared with you.");
      document.getElementById("check-detail").textContent = details.join(" ");
      const link = document.getElementById("check-link");
      link.hidden = !answer.video_id;
      if (answer.video_id) link.querySelector("a").href = "/v/" + encodeURIComponent(answer.video_id);
      result.hidden = false;
    } catch (err) {
      result.hidden = true;
      showFormError(error, err.message);
    } finally {
      button.disabled = false;
      button.textContent = "Check";
    }
  });
})();
