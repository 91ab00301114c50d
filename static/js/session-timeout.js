/* Session expiry warning for logged-in pages (templates/base.html).
 * The body carries the seconds left in the session (data-session-seconds-left, from
 * accounts.middleware) and how long before the end to warn (data-session-warning-seconds).
 * Before warning, and again before logging out, the script asks the server
 * (data-session-status-url: asking is not activity), so work in another tab keeps this one
 * alive. The warning is a role="alertdialog" with "Tiếp tục phiên làm việc", which pings
 * data-session-keepalive-url; when time runs out the hidden logout form is submitted and
 * the login page says the session ended. */
(function () {
  "use strict";

  var body = document.body;
  var dialog = document.getElementById("session-warning");
  if (!dialog || !body.dataset.sessionStatusUrl) { return; }

  var statusUrl = body.dataset.sessionStatusUrl;
  var keepaliveUrl = body.dataset.sessionKeepaliveUrl;
  var warnBefore = parseInt(body.dataset.sessionWarningSeconds || "120", 10);
  var countdown = dialog.querySelector("[data-session-countdown]");
  var continueButton = dialog.querySelector("[data-session-continue]");
  var logoutForm = dialog.querySelector("[data-session-logout]");
  var csrfInput = logoutForm.querySelector("input[name=csrfmiddlewaretoken]");
  var deadline = Date.now() + parseInt(body.dataset.sessionSecondsLeft || "0", 10) * 1000;
  var timer = null;
  var lastFocus = null;
  var asking = false;

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function secondsLeft() { return Math.max(0, Math.round((deadline - Date.now()) / 1000)); }

  function show() {
    if (!dialog.hidden) { return; }
    lastFocus = document.activeElement;
    dialog.hidden = false;
    continueButton.focus();
  }

  function hide() {
    if (dialog.hidden) { return; }
    dialog.hidden = true;
    if (lastFocus && typeof lastFocus.focus === "function") { lastFocus.focus(); }
  }

  function logout() {
    window.clearTimeout(timer);
    logoutForm.submit();
  }

  function restart(seconds) {
    deadline = Date.now() + seconds * 1000;
    tick();
  }

  // The server's word on the time left; then `then(seconds)`; on a network error, trust our clock.
  function ask(then) {
    if (asking) { return; }
    asking = true;
    window.fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { asking = false; then(parseInt(data.seconds_left, 10) || 0); })
      .catch(function () { asking = false; then(secondsLeft()); });
  }

  function tick() {
    window.clearTimeout(timer);
    var left = secondsLeft();
    if (left <= 0) {
      ask(function (server) { if (server > 1) { restart(server); } else { logout(); } });
      return;
    }
    if (left <= warnBefore) {
      if (dialog.hidden) {
        ask(function (server) {
          if (server > warnBefore + 5) { restart(server); return; }
          deadline = Date.now() + server * 1000;
          countdown.textContent = clock(secondsLeft());
          show();
          timer = window.setTimeout(tick, 1000);
        });
        return;
      }
      countdown.textContent = clock(left);
      timer = window.setTimeout(tick, 1000);
      return;
    }
    hide();
    timer = window.setTimeout(tick, Math.min((left - warnBefore) * 1000, 60000));
  }

  function keepAlive() {
    window.fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfInput.value }
    })
      .then(function (response) {
        if (response.status === 401) { logout(); return null; }
        return response.json();
      })
      .then(function (data) { if (data) { hide(); restart(parseInt(data.seconds_left, 10) || 0); } })
      .catch(function () { /* offline: the warning stays up, the clock keeps running */ });
  }

  continueButton.addEventListener("click", keepAlive);
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); keepAlive(); return; }
    if (event.key !== "Tab") { return; }
    // Keep the focus inside the dialog while it is open.
    var focusable = dialog.querySelectorAll("button");
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  tick();
}());
