/* Progressive: without script the page is complete; with it, the page says when articles
   arrive after it was loaded (checked every 20 s against /api/v1/health). */
(() => {
  const live = document.getElementById("live");
  const seen = Number(live.dataset.articles);
  async function check() {
    try {
      const answer = await fetch("/api/v1/health", {cache: "no-store"});
      if (!answer.ok) return;
      const added = (await answer.json()).articles - seen;
      if (added <= 0) return;
      const link = document.createElement("a");
      link.href = location.pathname + location.search;
      link.textContent = "show the latest";
      live.replaceChildren(`${added} new article${added === 1 ? "" : "s"} since this page was loaded: `, link);
      live.hidden = false;
    } catch (error) { /* the server is away: try again next time */ }
  }
  window.storylineCheck = check;
  setInterval(check, 20000);
})();
