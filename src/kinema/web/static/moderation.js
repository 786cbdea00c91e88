/* Moderation queue: act on reports and decide appeals without leaving the page. */
(function () {
  "use strict";
  const { api, toast } = window.Kinema;

  function settle(card, listId, emptyId) {
    card.remove();
    const list = document.getElementById(listId);
    if (list && !list.querySelector(".card")) document.getElementById(emptyId).hidden = false;
    const count = document.getElementById("report-count");
    if (count && listId === "report-list") count.textContent = String(list.querySelectorAll(".card").length);
  }

  const DONE = {
    remove: "Removed. The author was told and can appeal.",
    warn: "Warning sent.",
    suspend: "Account suspended.",
    dismiss: "Report dismissed.",
  };

  document.addEventListener("click", async (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const button = target ? target.closest("[data-action], [data-decision]") : null;
    if (!button) return;
    const card = button.closest(".card");
    const noteInput = card.querySelector("[data-note]");
    const note = noteInput ? noteInput.value.trim() : "";
    if (button.dataset.action === "suspend" && !window.confirm("Suspend this account?")) return;
    button.disabled = true;
    try {
      if (button.dataset.action) {
        await api("POST", "/api/moderation/actions", {
          action: button.dataset.action,
          report_id: card.dataset.reportId,
          note,
        });
        toast(DONE[button.dataset.action] || "Done.", "ok");
        settle(card, "report-list", "reports-empty");
      } else {
        const grant = button.dataset.decision === "grant";
        await api("POST", "/api/moderation/appeals/" + encodeURIComponent(card.dataset.appealId) + "/decision", {
          grant,
          note,
        });
        toast(grant ? "Appeal granted: the decision was undone." : "Appeal denied.", "ok");
        settle(card, "appeal-list", "appeals-empty");
      }
    } catch (err) {
      toast(err.message, "error");
      button.disabled = false;
    }
  });
})();
