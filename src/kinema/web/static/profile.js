/* Profile: the person's published videos and, on your own profile, your invite codes. */
(function () {
  "use strict";
  const { api, h, videoTile, toast } = window.Kinema;
  const profile = document.getElementById("profile");
  if (!profile) return;

  const grid = document.getElementById("video-grid");
  const empty = document.getElementById("grid-empty");
  api("GET", grid.dataset.source + "?limit=48")
    .then((page) => {
      for (const video of (page && page.items) || []) grid.append(videoTile(video, { hideAuthor: true }));
      empty.hidden = grid.children.length > 0;
      grid.hidden = grid.children.length === 0;
    })
    .catch((err) => {
      // An instance that does not list videos per person shows just the header.
      document.getElementById("videos").hidden = true;
      if (err.status !== 404) toast(err.message, "error");
    });

  const invites = document.getElementById("invites");
  if (!invites) return;
  const list = document.getElementById("invite-list");
  api("GET", "/api/me/invites")
    .then((answer) => {
      const items = (answer && answer.invites) || [];
      if (!items.length) return;
      for (const invite of items) {
        const link = window.location.origin + "/signup?invite=" + encodeURIComponent(invite.code);
        const used = invite.used_by;
        const usedBy = used ? (typeof used === "string" ? used : used.handle || "") : "";
        list.append(
          h(
            "li",
            { class: "invite" + (used ? " used" : "") },
            h("code", { text: invite.code }),
            used
              ? h("span", { class: "faint", text: usedBy ? "used by @" + usedBy : "used" })
              : h("button", {
                  class: "btn btn-sm",
                  type: "button",
                  text: "Copy link",
                  onclick: async () => {
                    try {
                      await navigator.clipboard.writeText(link);
                      toast("Invite link copied.", "ok");
                    } catch (err) {
                      window.prompt("Copy this invite link:", link);
                    }
                  },
                })
          )
        );
      }
      invites.hidden = false;
    })
    .catch(() => {
      /* Invites are an extra on this page; the profile itself already rendered. */
    });
})();
