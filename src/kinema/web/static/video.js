/* Video page: publish a draft, share a published video, delete your own. */
(function () {
  "use strict";
  const { api, toast } = window.Kinema;
  const article = document.getElementById("video");
  if (!article) return;
  const videoId = article.dataset.videoId;
  const base = "/api/videos/" + encodeURIComponent(videoId);

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
})();
