/* Home: a grid of published videos from the feed, newest first, with "load more". */
(function () {
  "use strict";
  const { api, videoTile, toast } = window.Kinema;
  const grid = document.getElementById("video-grid");
  if (!grid) return;
  const empty = document.getElementById("grid-empty");
  const more = document.getElementById("load-more");
  let cursor = null;
  let first = true;

  async function load() {
    let url = grid.dataset.source + "?limit=24";
    if (cursor) url += "&cursor=" + encodeURIComponent(cursor);
    more.disabled = true;
    let page;
    try {
      page = await api("GET", url);
    } catch (err) {
      if (err.status === 404 && first) {
        // This instance has no feed to show: leave the section out rather than
        // claim that nothing was published.
        document.getElementById("latest").hidden = true;
        return;
      }
      page = { items: [], next_cursor: null };
      toast(err.message, "error");
    }
    if (first) {
      grid.replaceChildren();
      first = false;
    }
    for (const video of page.items || []) grid.append(videoTile(video));
    cursor = page.next_cursor || null;
    more.hidden = !cursor;
    more.disabled = false;
    empty.hidden = grid.children.length > 0;
    grid.hidden = grid.children.length === 0;
    grid.setAttribute("aria-busy", "false");
  }

  more.addEventListener("click", load);
  load();
})();
