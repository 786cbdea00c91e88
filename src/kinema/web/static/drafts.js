/* Drafts: publish or delete straight from the list. */
(function () {
  "use strict";
  const { api, toast } = window.Kinema;
  const list = document.getElementById("draft-list");
  if (!list) return;

  function removeCard(card) {
    card.remove();
    if (!list.querySelector(".draft")) {
      list.hidden = true;
      document.getElementById("drafts-empty").hidden = false;
    }
  }

  list.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-draft-action]") : null;
    if (!button) return;
    const card = button.closest(".draft");
    const id = card.dataset.videoId;
    const action = button.dataset.draftAction;
    if (action === "delete" && !window.confirm("Delete this draft for good?")) return;
    button.disabled = true;
    try {
      if (action === "publish") {
        await api("POST", "/api/videos/" + encodeURIComponent(id) + "/publish", {});
        toast("Published: it is in the feed now.", "ok");
      } else {
        await api("DELETE", "/api/videos/" + encodeURIComponent(id));
        toast("Draft deleted.");
      }
      removeCard(card);
    } catch (err) {
      toast(err.message, "error");
      button.disabled = false;
    }
  });
})();
