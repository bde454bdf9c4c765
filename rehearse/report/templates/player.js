/* rehearse: with an embedded recording, clicking (or Enter on) anything with data-t plays from there;
   a playhead follows on the timeline and the word being spoken is highlighted. No network. */
(function () {
  "use strict";
  var answers = document.querySelectorAll(".answer");
  Array.prototype.forEach.call(answers, function (section) {
    var audio = section.querySelector("audio.recording");
    if (!audio) return;
    section.classList.add("has-audio");
    var svg = section.querySelector("svg.timeline-svg");
    var head = svg ? svg.querySelector(".playhead") : null;
    var left = svg ? parseFloat(svg.getAttribute("data-left")) : 0;
    var right = svg ? parseFloat(svg.getAttribute("data-right")) : 0;
    var duration = svg ? parseFloat(svg.getAttribute("data-duration")) : 1;
    var words = Array.prototype.slice.call(section.querySelectorAll(".w"));
    var current = null;

    function seek(t) {
      if (!isFinite(t)) return;
      audio.currentTime = Math.max(0, t);
      var playing = audio.play();
      if (playing && playing.catch) playing.catch(function () {});
    }
    function target(event) {
      var el = event.target.closest ? event.target.closest("[data-t]") : null;
      return el && section.contains(el) ? el : null;
    }
    section.addEventListener("click", function (event) {
      var el = target(event);
      if (el) seek(parseFloat(el.getAttribute("data-t")));
    });
    section.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== " ") return;
      var el = target(event);
      if (!el || el.tagName === "AUDIO") return;
      event.preventDefault();
      seek(parseFloat(el.getAttribute("data-t")));
    });
    audio.addEventListener("timeupdate", function () {
      var t = audio.currentTime;
      if (head && duration > 0) {
        var x = left + (right - left) * Math.min(t, duration) / duration;
        head.setAttribute("x1", x);
        head.setAttribute("x2", x);
        head.style.visibility = "visible";
      }
      var lo = 0, hi = words.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (parseFloat(words[mid].getAttribute("data-t")) <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      var el = found >= 0 && t <= parseFloat(words[found].getAttribute("data-end")) + 0.3 ? words[found] : null;
      if (el !== current) {
        if (current) current.classList.remove("now");
        if (el) el.classList.add("now");
        current = el;
      }
    });
  });
})();
