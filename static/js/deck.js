/* The 亮相会 deck: one server-rendered <section> at a time, driven by the keyboard.
   → / PageDown / Space next, ← / PageUp previous, Home / End, digits then Enter to jump,
   F full screen, Esc leaves it (the browser's own). Without this script every slide shows
   in order (and prints). The slide shown is kept in the address (#5) so a reload stays. */
(function () {
  "use strict";
  var deck = document.getElementById("deck");
  if (!deck) { return; }
  var slides = Array.prototype.slice.call(deck.querySelectorAll("section.slide"));
  var counter = document.getElementById("deck-counter");
  var jump = document.getElementById("deck-jump");
  var full = document.getElementById("deck-full");
  var current = 0;
  var typed = "";

  function show(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    slides[current].classList.remove("is-current");
    slides[current].setAttribute("aria-hidden", "true");
    current = index;
    slides[current].classList.add("is-current");
    slides[current].removeAttribute("aria-hidden");
    counter.textContent = (current + 1) + " / " + slides.length;
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + (current + 1));
    }
  }

  function setTyped(text) {
    typed = text;
    jump.textContent = typed ? "跳转到第 " + typed + " 页" : "";
  }

  function toggleFullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }

  document.body.classList.add("deck-js");
  slides.forEach(function (slide) { slide.setAttribute("aria-hidden", "true"); });
  var start = parseInt((window.location.hash || "").slice(1), 10);
  current = 0;
  show(isNaN(start) ? 0 : start - 1);

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (/^[0-9]$/.test(key)) {
      setTyped((typed + key).slice(-4));
    } else if (key === "Enter" && typed) {
      show(parseInt(typed, 10) - 1);
      setTyped("");
    } else if (key === "Backspace" && typed) {
      setTyped(typed.slice(0, -1));
    } else if (key === "ArrowRight" || key === "PageDown" || key === " " || key === "ArrowDown") {
      show(current + 1);
      setTyped("");
    } else if (key === "ArrowLeft" || key === "PageUp" || key === "ArrowUp") {
      show(current - 1);
      setTyped("");
    } else if (key === "Home") {
      show(0);
      setTyped("");
    } else if (key === "End") {
      show(slides.length - 1);
      setTyped("");
    } else if (key === "f" || key === "F") {
      toggleFullScreen();
    } else if (key === "Escape") {
      setTyped("");
      return;  // the browser leaves full screen itself
    } else {
      return;
    }
    event.preventDefault();
  });

  if (full) {
    full.addEventListener("click", function () {
      full.blur();  // Space must turn the page, not press the button again
      toggleFullScreen();
    });
  }
  document.addEventListener("fullscreenchange", function () {
    document.body.classList.toggle("deck-fullscreen", !!document.fullscreenElement);
  });
})();
