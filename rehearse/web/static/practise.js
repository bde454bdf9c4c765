/* rehearse serve, Practise page: choose a question, prepare, record from the microphone.
   The audio goes to the server as it is captured (16-bit PCM, 16 kHz, 0.1-s blocks over a WebSocket);
   the server writes it to the session folder at once and transcribes it while the candidate speaks.
   Standard web APIs only (getUserMedia, AudioWorklet, WebSocket): current Chromium and Firefox. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("config").textContent);
  var bank = config.bank;
  var $ = function (id) { return document.getElementById(id); };
  var state = {phase: "choose", question: null, ws: null, ctx: null, stream: null, node: null,
               sent: 0, saved: 0, folder: null, stopping: false, finished: false, chunks: [], silentShown: false,
               countdown: null};

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function show(phase) {
    state.phase = phase;
    ["choose", "prepare", "record", "working"].forEach(function (name) { $(name).hidden = name !== phase; });
    document.body.setAttribute("data-phase", phase);
  }

  function message(text, kind) {
    var box = $("message");
    box.textContent = text || "";
    box.className = "message" + (kind ? " " + kind : "");
    box.hidden = !text;
  }

  /* ---- choosing a question ------------------------------------------------------------------ */

  function matching() {
    var lp = $("lp").value, level = $("level").value;
    return bank.filter(function (q) {
      return (!lp || q.principles.indexOf(lp) >= 0) && (!level || q.levels.indexOf(level) >= 0);
    });
  }

  function fillQuestions(keep) {
    var select = $("question"), chosen = keep || select.value;
    var list = matching();
    select.textContent = "";
    list.forEach(function (q) {
      var option = document.createElement("option");
      option.value = q.id;
      option.textContent = q.text;
      select.appendChild(option);
    });
    if (list.some(function (q) { return q.id === chosen; })) select.value = chosen;
    $("count").textContent = list.length + " question" + (list.length === 1 ? "" : "s");
    $("start").disabled = list.length === 0 && !$("own").value.trim();
  }

  function chosenQuestion() {
    var own = $("own").value.trim();
    if (own) return {text: own, principles: $("lp").value ? [$("lp").value] : [], level: $("level").value || null,
                     id: null, target_s: config.default_target_s};
    var id = $("question").value;
    return bank.filter(function (q) { return q.id === id; })[0] || null;
  }

  $("lp").addEventListener("change", function () { fillQuestions(); });
  $("level").addEventListener("change", function () { fillQuestions(); });
  $("own").addEventListener("input", function () { fillQuestions(); });
  $("random").addEventListener("click", function () {
    var list = matching();
    if (!list.length) return;
    $("own").value = "";
    fillQuestions(list[Math.floor(Math.random() * list.length)].id);
  });

  /* ---- preparation ---------------------------------------------------------------------------- */

  $("pick").addEventListener("submit", function (event) {
    event.preventDefault();
    message("");
    var q = chosenQuestion();
    if (!q) { message("Choose a question from the list, or type your own.", "error"); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.AudioWorkletNode) {
      message("This browser does not give this page the microphone. Browsers allow it only on secure pages: " +
              "open " + config.local_url + " on the machine running rehearse serve.", "error");
      return;
    }
    state.question = q;
    document.querySelectorAll(".question-text").forEach(function (el) { el.textContent = q.text; });
    var meta = (q.principles || []).slice();
    if (q.levels && q.levels.length) meta.push(q.levels.join(", "));
    meta.push("aim for about " + clock(q.target_s));
    document.querySelectorAll(".question-meta").forEach(function (el) { el.textContent = meta.join(" · "); });
    var prep = parseFloat($("prep").value) || 0;
    if (prep <= 0) { record(); return; }
    show("prepare");
    var end = performance.now() + prep * 1000;
    var tick = function () {
      var left = (end - performance.now()) / 1000;
      $("countdown").textContent = clock(Math.ceil(left));
      if (left <= 0) { clearInterval(state.countdown); record(); }
    };
    tick();
    state.countdown = setInterval(tick, 200);
  });
  $("start-now").addEventListener("click", function () { clearInterval(state.countdown); record(); });

  /* ---- recording ------------------------------------------------------------------------------ */

  function micProblem(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError")
      return "The microphone was not allowed. Allow it for this page (the icon in the address bar) and press Start again.";
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError")
      return "No microphone was found. Plug one in (or choose one in your system's sound settings) and press Start again.";
    if (name === "NotReadableError" || name === "AbortError")
      return "The microphone is in use by another program or could not be opened. Close that program and press Start again.";
    return "The microphone could not be opened (" + (name || "error") + ": " + (error && error.message) + ").";
  }

  function openSocket() {
    return new Promise(function (resolve, reject) {
      var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/record");
      ws.binaryType = "arraybuffer";
      ws.onopen = function () { resolve(ws); };
      ws.onerror = function () { reject(new Error("cannot reach the rehearse server")); };
    });
  }

  function release() {
    if (state.stream) state.stream.getTracks().forEach(function (t) { t.stop(); });
    if (state.ctx && state.ctx.state !== "closed") state.ctx.close();
    state.stream = null;
    state.ctx = null;
  }

  async function record() {
    show("record");
    $("stop").disabled = true;
    $("elapsed").textContent = "0:00";
    $("target").textContent = clock(state.question.target_s);
    $("silent").hidden = true;
    state.sent = 0; state.saved = 0; state.chunks = []; state.stopping = false; state.finished = false;
    try {
      state.ctx = new AudioContext({sampleRate: config.rate});
      state.rate = state.ctx.sampleRate;
      await state.ctx.audioWorklet.addModule(config.worklet);
      state.node = new AudioWorkletNode(state.ctx, "pcm16-blocks");
      state.node.connect(state.ctx.destination);  // outputs silence; keeps the node processing
      state.ws = await openSocket();
    } catch (error) {
      release();
      show("choose");
      message("Cannot start recording: " + error.message + ". Is rehearse serve still running?", "error");
      return;
    }
    var ws = state.ws;
    ws.onmessage = onServer;
    ws.onclose = onClose;
    try {
      state.stream = await navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: false,
                                                                       noiseSuppression: false, autoGainControl: false}});
    } catch (error) {
      state.finished = true;
      ws.onclose = null;
      ws.send(JSON.stringify({type: "cancel", reason: error && error.name}));
      ws.close();
      release();
      show("choose");
      message(micProblem(error), "error");
      return;
    }
    ws.send(JSON.stringify({type: "start", rate: state.ctx.sampleRate, question: state.question,
                            previous: config.previous}));
    state.node.port.onmessage = onBlock;
    state.ctx.createMediaStreamSource(state.stream).connect(state.node);
    $("stop").disabled = false;
  }

  function onBlock(event) {
    if (event.data.flushed) { finishStop(); return; }
    var ws = state.ws;
    state.chunks.push(new Int16Array(event.data.pcm));
    if (ws && ws.readyState === WebSocket.OPEN && !state.finished) {
      ws.send(event.data.pcm);
      state.sent += event.data.pcm.byteLength / 2;
    }
    var level = Math.max(config.meter_floor_dbfs, Math.min(0, event.data.dbfs));
    $("meter").value = level;
    $("level-text").textContent = event.data.dbfs <= -119 ? "silence" : Math.round(event.data.dbfs) + " dBFS";
    var seconds = state.sent / state.rate;
    $("elapsed").textContent = clock(seconds);
    $("length-bar").value = Math.min(seconds, state.question.target_s * 1.5);
    $("length-bar").max = state.question.target_s * 1.5;
    $("over").hidden = seconds <= state.question.target_s;
  }

  function onServer(event) {
    var data = JSON.parse(event.data);
    if (data.type === "started") {
      state.folder = data.folder;
    } else if (data.type === "stats") {
      state.saved = data.saved_s;
      $("words").textContent = data.words;
      $("pace").textContent = data.wpm === null ? "–" : Math.round(data.wpm) + " wpm";
      $("fillers").textContent = data.fillers;
      $("silent").hidden = !data.silent;
    } else if (data.type === "report") {
      state.finished = true;
      state.ws.onclose = null;
      location.assign(data.url);
    } else if (data.type === "error") {
      state.finished = true;
      state.ws.onclose = null;
      release();
      show("choose");
      message(data.message, "error");
      if (state.chunks.length) offerCopy();
    }
  }

  function onClose() {
    if (state.finished) return;
    state.finished = true;
    release();
    show("choose");
    if (!state.sent) {
      message("The connection to rehearse was lost before any audio was sent: is rehearse serve still running?", "error");
      return;
    }
    message("The connection to rehearse was lost after " + clock(state.sent / state.rate) + " of recording. " +
            (state.folder ? "The server had saved " + state.saved.toFixed(1) + " s of it in the session folder " +
             state.folder + ". " : "") + "This page kept all of it: download it below, then analyse it on the Upload page.",
            "error");
    offerCopy();
  }

  function offerCopy() {
    var total = state.chunks.reduce(function (n, c) { return n + c.length; }, 0);
    var header = new DataView(new ArrayBuffer(44));
    var text = function (at, s) { for (var i = 0; i < s.length; i++) header.setUint8(at + i, s.charCodeAt(i)); };
    text(0, "RIFF"); header.setUint32(4, 36 + total * 2, true); text(8, "WAVE"); text(12, "fmt ");
    header.setUint32(16, 16, true); header.setUint16(20, 1, true); header.setUint16(22, 1, true);
    header.setUint32(24, state.rate, true); header.setUint32(28, state.rate * 2, true);
    header.setUint16(32, 2, true); header.setUint16(34, 16, true); text(36, "data"); header.setUint32(40, total * 2, true);
    var link = $("copy");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([header.buffer].concat(state.chunks), {type: "audio/wav"}));
    link.hidden = false;
  }

  $("stop").addEventListener("click", function () {
    if (state.stopping) return;
    state.stopping = true;
    $("stop").disabled = true;
    if (state.stream) state.stream.getTracks().forEach(function (t) { t.stop(); });
    state.node.port.postMessage("flush");  // the last partial block, then finishStop()
    setTimeout(finishStop, 500);
  });

  function finishStop() {
    if (state.phase !== "record" || !state.stopping) return;
    show("working");
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({type: "stop"}));
    if (state.ctx && state.ctx.state !== "closed") state.ctx.close();
  }

  fillQuestions(config.preselect && config.preselect.id);
  if (config.preselect && !config.preselect.id) $("own").value = config.preselect.text;
  if (config.preselect) fillQuestions(config.preselect.id);
  show("choose");
})();
