// Refreshes a page that follows a django-q2 task (signing batch, large export) while it works;
// reloads once it is done so that the page (links, buttons) is rendered by the server.
(function () {
  var box = document.getElementById("batch-progress");
  if (!box || box.dataset.finished === "true") { return; }
  var bar = document.getElementById("batch-bar");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        bar.max = state.total;
        bar.value = state.done;
        if (state.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
