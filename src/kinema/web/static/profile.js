/* Profile: published videos and remixes a page at a time, follow, block and unblock,
   and on your own profile your invite codes. */
(function () {
  "use strict";
  const { api, h, videoTile, toast } = window.Kinema;
  const profile = document.getElementById("profile");
  if (!profile) return;
  const handle = profile.dataset.handle;
  const userBase = "/api/users/" + encodeURIComponent(handle);

  setUpRelation();
  setUpVideos();
  setUpInvites();

  function setUpRelation() {
    const follow = document.getElementById("follow");
    if (follow) {
      follow.addEventListener("click", async () => {
        const following = follow.getAttribute("aria-pressed") === "true";
        follow.disabled = true;
        try {
          const state = await api(following ? "DELETE" : "POST", userBase + "/follow");
          follow.setAttribute("aria-pressed", state.following ? "true" : "false");
          follow.textContent = state.following ? "Following" : "Follow";
          follow.classList.toggle("btn-primary", !state.following);
          const count = document.getElementById("count-followers");
          if (count && state.following !== following) {
            count.textContent = String(Math.max(0, Number(count.textContent) + (state.following ? 1 : -1)));
          }
        } catch (err) {
          toast(err.message, "error");
        } finally {
          follow.disabled = false;
        }
      });
    }

    const block = document.getElementById("block");
    if (block) {
      block.addEventListener("click", async () => {
        const ok = window.confirm(
          "Block @" + handle + "? You won't see each other's videos, comments or profile, and follows between you end."
        );
        if (!ok) return;
        block.disabled = true;
        try {
          await api("POST", userBase + "/block");
          window.location.reload();
        } catch (err) {
          toast(err.message, "error");
          block.disabled = false;
        }
      });
    }

    const unblock = document.getElementById("unblock");
    if (unblock) {
      unblock.addEventListener("click", async () => {
        unblock.disabled = true;
        try {
          await api("DELETE", userBase + "/block");
          window.location.reload();
        } catch (err) {
          toast(err.message, "error");
          unblock.disabled = false;
        }
      });
    }
  }

  function setUpVideos() {
    const grid = document.getElementById("video-grid");
    if (!grid) return;
    const empty = document.getElementById("grid-empty");
    const emptyTitle = document.getElementById("grid-empty-title");
    const more = document.getElementById("load-more");
    const tabs = Array.from(document.querySelectorAll(".tabs [role='tab']"));
    let state = { remixes: false, cursor: null, loading: false, token: 0 };

    async function load() {
      if (state.loading) return;
      state.loading = true;
      more.disabled = true;
      const token = state.token;
      const params = new URLSearchParams({ limit: "24", remixes: String(state.remixes) });
      if (state.cursor) params.set("cursor", state.cursor);
      try {
        const page = await api("GET", userBase + "/videos?" + params.toString());
        if (token !== state.token) return; // the other tab was chosen meanwhile
        for (const video of (page && page.items) || []) grid.append(videoTile(video, { hideAuthor: true }));
        state.cursor = (page && page.next_cursor) || null;
        more.hidden = !state.cursor;
        empty.hidden = grid.children.length > 0;
        grid.hidden = grid.children.length === 0;
      } catch (err) {
        if (token === state.token) toast(err.message, "error");
      } finally {
        if (token === state.token) {
          state.loading = false;
          more.disabled = false;
        }
      }
    }

    for (const tab of tabs) {
      tab.addEventListener("click", () => {
        const remixes = tab.dataset.remixes === "true";
        if (remixes === state.remixes) return;
        for (const other of tabs) other.setAttribute("aria-selected", other === tab ? "true" : "false");
        state = { remixes: remixes, cursor: null, loading: false, token: state.token + 1 };
        grid.replaceChildren();
        more.hidden = true;
        emptyTitle.textContent = remixes ? "No remixes yet" : "No published videos yet";
        load();
      });
    }
    more.addEventListener("click", load);
    load();
  }

  function setUpInvites() {
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
  }
})();
