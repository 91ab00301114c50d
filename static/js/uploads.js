/* Progressive upload for templates/dossiers/files/component_list.html.
 * Without this script every form posts normally and the page reloads with a message.
 * With it: the file goes up by XMLHttpRequest with a progress bar, the answer (JSON) adds
 * the file to the list, and a polite live region tells screen-reader users what happened. */
(function () {
  "use strict";

  // Vietnamese first; Django's JavaScript catalogue (/jsi18n/, base.html) gives the English.
  var gettext = window.gettext || function (text) { return text; };
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_whole, name) { return String(values[name]); });
  }
  function megabytes(bytes) {
    var text = (bytes / 1048576).toFixed(1);
    return document.documentElement.lang === "en" ? text : text.replace(".", ",");
  }

  function live(root, text) {
    var region = root.querySelector("[data-upload-live]");
    if (region) { region.textContent = ""; window.setTimeout(function () { region.textContent = text; }, 50); }
  }

  function showError(form, text) {
    var error = form.querySelector("[data-upload-error]");
    if (error) { error.textContent = text; error.hidden = !text; }
  }

  function send(form, root, onDone) {
    var xhr = new XMLHttpRequest();
    var progress = form.querySelector("[data-upload-progress]");
    var button = form.querySelector("button[type=submit]");
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    if (progress) {
      progress.hidden = false; progress.value = 0;
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { progress.value = Math.round((event.loaded / event.total) * 100); }
      });
    }
    if (button) { button.disabled = true; }
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = {}; }
      if (progress) { progress.hidden = true; }
      if (button) { button.disabled = false; }
      if (xhr.status >= 200 && xhr.status < 300) {
        showError(form, "");
        onDone(body);
        live(root, body.message || "");
      } else {
        var text = body.error || gettext("Không tải lên được tệp. Vui lòng thử lại.");
        showError(form, text);
        live(root, text);
      }
    });
    xhr.addEventListener("error", function () {
      if (progress) { progress.hidden = true; }
      if (button) { button.disabled = false; }
      var text = gettext("Mất kết nối khi tải lên. Vui lòng kiểm tra mạng và thử lại.");
      showError(form, text);
      live(root, text);
    });
    xhr.send(new FormData(form));
  }

  function addFile(section, body) {
    var list = section.querySelector("[data-upload-files]");
    if (list && body.attachment && !list.querySelector('[data-attachment="' + body.attachment.uuid + '"]')) {
      list.insertAdjacentHTML("beforeend", body.attachment.html);
    }
  }

  document.querySelectorAll("[data-uploads]").forEach(function (root) {
    root.addEventListener("submit", function (event) {
      var form = event.target;
      var section = form.closest("section");
      if (form.matches("[data-upload]")) {
        var input = form.querySelector("input[type=file]");
        var max = parseInt(form.getAttribute("data-max-bytes"), 10);
        var file = input && input.files && input.files[0];
        if (file && max && file.size > max) {
          event.preventDefault();
          var text = fmt(gettext("Tệp “%(name)s” có dung lượng %(size)s MB, vượt quá %(max)s MB cho phép."), {
            name: file.name, size: megabytes(file.size), max: Math.round(max / 1048576)
          });
          showError(form, text); live(root, text);
          return;
        }
        event.preventDefault();
        send(form, root, function (body) { addFile(section, body); form.reset(); });
      } else if (form.matches("[data-upload-reuse]")) {
        event.preventDefault();
        send(form, root, function (body) { addFile(section, body); form.closest("li").remove(); });
      } else if (form.matches("[data-upload-remove]")) {
        event.preventDefault();
        send(form, root, function () { form.closest("li").remove(); });
      }
    });
  });
})();
