/* rehearse serve, Upload page: send a recording (an answer or a mock interview), follow its analysis,
   open its report. The file goes as the request body (XMLHttpRequest, for its upload progress);
   the server decides what it is by decoding it, whatever its name. */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var config = JSON.parse($("config").textContent);
  var busy = false;

  function message(text, kind) {
    var box = $("message");
    box.textContent = text || "";
    box.className = "message" + (kind ? " " + kind : "");
    box.hidden = !text;
  }

  function progress(label, done, total) {
    $("progress").hidden = false;
    $("stage").textContent = label;
    var bar = $("bar");
    if (total > 0) { bar.max = total; bar.value = Math.min(done, total); } else { bar.removeAttribute("value"); }
  }

  function mb(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  function send(file) {
    if (busy) return;
    message("");
    if (file.size > config.max_bytes) {
      message(file.name + " is " + mb(file.size) + "; the upload limit is " + config.max_mb + " MB" +
              " (start rehearse serve with --max-upload-mb to change it).", "error");
      return;
    }
    busy = true;
    var kind = document.querySelector("input[name=kind]:checked").value;
    var query = "kind=" + encodeURIComponent(kind);
    var question = $("question-text").value.trim();
    if (kind === "answer" && question) query += "&question=" + encodeURIComponent(question);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload?" + query);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = function (e) { progress("Uploading " + file.name, e.loaded, e.lengthComputable ? e.total : 0); };
    xhr.onerror = function () { busy = false; message("The upload failed: the rehearse server could not be reached.", "error"); };
    xhr.onload = function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status !== 202 || !data) {
        busy = false;
        $("progress").hidden = true;
        message((data && data.error) || ("The upload was refused (" + xhr.status + " " + xhr.statusText + ")."), "error");
        return;
      }
      follow(data.job, file.name);
    };
    progress("Uploading " + file.name, 0, file.size);
    xhr.send(file);
  }

  function follow(job, name) {
    fetch("/api/jobs/" + job).then(function (r) { return r.json(); }).then(function (s) {
      if (s.status === "done") { location.assign(s.url); return; }
      if (s.status !== "running") {
        busy = false;
        $("progress").hidden = true;
        message(name + ": " + s.error, "error");
        return;
      }
      progress(s.stage + " " + name, s.done, s.total);
      setTimeout(function () { follow(job, name); }, 400);
    }).catch(function () {
      busy = false;
      message("Lost contact with the rehearse server while it analysed " + name + ".", "error");
    });
  }

  var zone = $("drop");
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer.files.length) send(e.dataTransfer.files[0]);
  });
  $("file").addEventListener("change", function () { if (this.files.length) send(this.files[0]); });
  document.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      $("question-row").hidden = document.querySelector("input[name=kind]:checked").value !== "answer";
    });
  });
})();
