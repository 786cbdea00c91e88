/* Notifications: newest first, a page at a time; what was unread when the page opened
   stays highlighted while it is marked read on the server. */
(function () {
  "use strict";
  const { api, h, toast, timeAgo } = window.Kinema;
  const list = document.getElementById("notice-list");
  if (!list) return;
  const empty = document.getElementById("notice-empty");
  const more = document.getElementById("load-more");
  const markAll = document.getElementById("mark-all");
  let cursor = null;

  function icon(kind) {
    const template =
      document.querySelector("template[data-notice-icon='" + kind + "']") ||
      document.querySelector("template[data-notice-icon='other']");
    return template ? template.content.cloneNode(true) : "";
  }

  function link(item) {
    if (item.kind === "follow" && item.actor) return "/u/" + encodeURIComponent(item.actor.handle);
    if (item.video_id) return "/v/" + encodeURIComponent(item.video_id);
    if (item.kind === "character_used") return "/characters";
    if (item.actor) return "/u/" + encodeURIComponent(item.actor.handle);
    return "";
  }

  function render(item) {
    const href = link(item);
    const body = [
      h("span", { class: "notice-icon", "aria-hidden": "true" }, icon(item.kind)),
      h(
        "span",
        { class: "notice-text" },
        h("span", { text: item.text || "Something happened." }),
        h("time", { class: "faint", datetime: item.created_at, text: timeAgo(item.created_at) })
      ),
      item.read ? null : h("span", { class: "notice-dot", "aria-label": "unread" }),
    ];
    const className = "notice notice-" + item.kind + (item.read ? "" : " unread");
    return h("li", {}, href ? h("a", { class: className, href: href }, body) : h("div", { class: className }, body));
  }

  async function markRead(ids) {
    if (!ids.length) return;
    try {
      await api("POST", "/api/notifications/read", { ids: ids });
      document.dispatchEvent(new CustomEvent("kinema:notifications-read"));
    } catch (err) {
      /* Staying unread is harmless; the next visit marks them again. */
    }
  }

  async function load() {
    more.disabled = true;
    const params = new URLSearchParams({ limit: "30" });
    if (cursor) params.set("cursor", cursor);
    try {
      const page = await api("GET", "/api/notifications?" + params.toString());
      const items = (page && page.items) || [];
      for (const item of items) list.append(render(item));
      cursor = (page && page.next_cursor) || null;
      more.hidden = !cursor;
      empty.hidden = list.children.length > 0;
      markAll.hidden = !(page && page.unread_count > items.filter((i) => !i.read).length);
      await markRead(items.filter((item) => !item.read).map((item) => item.id));
    } catch (err) {
      toast(err.message, "error");
    } finally {
      list.setAttribute("aria-busy", "false");
      more.disabled = false;
    }
  }

  markAll.addEventListener("click", async () => {
    try {
      await api("POST", "/api/notifications/read", {});
      for (const node of list.querySelectorAll(".unread")) node.classList.remove("unread");
      markAll.hidden = true;
      document.dispatchEvent(new CustomEvent("kinema:notifications-read"));
    } catch (err) {
      toast(err.message, "error");
    }
  });
  more.addEventListener("click", load);
  load();
})();
