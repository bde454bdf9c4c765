/* rehearse serve, History page: pick two sessions to compare, delete one (the recording stays on disk). */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var picks = function () { return Array.prototype.slice.call(document.querySelectorAll("input.pick:checked")); };

  function update() {
    var chosen = picks();
    $("compare").disabled = chosen.length !== 2;
    $("compare-hint").textContent = chosen.length === 2 ? "" : "tick two sessions to compare them";
  }

  document.addEventListener("change", function (e) { if (e.target.classList.contains("pick")) update(); });
  $("compare").addEventListener("click", function () {
    var ids = picks().map(function (el) { return el.value; });
    if (ids.length === 2) location.assign("/compare/" + ids[0] + "/" + ids[1]);
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button.delete") : null;
    if (!button) return;
    var id = button.getAttribute("data-id");
    if (!confirm("Delete session " + id + " from your history? Its recording stays in its session folder.")) return;
    fetch("/api/sessions/" + id, {method: "DELETE"}).then(function (r) {
      return r.json().then(function (data) { return {ok: r.ok, data: data}; });
    }).then(function (res) {
      var box = $("message");
      box.hidden = false;
      if (!res.ok) { box.className = "message error"; box.textContent = res.data.error; return; }
      box.className = "message";
      box.textContent = res.data.message;
      var row = button.closest("tr");
      if (row) row.remove();
      update();
    });
  });
  update();
})();
