// The review page's only script: Preview/Edit tabs and a warning before leaving unsaved edits.
// Without it every panel is simply shown; nothing depends on it.
(function () {
  "use strict";
  function setup() {
    var tablist = document.querySelector(".tabs");
    if (tablist) {
      var tabs = tablist.querySelectorAll("[data-tab]");
      var show = function (name) {
        tabs.forEach(function (tab) {
          tab.setAttribute("aria-selected", tab.dataset.tab === name ? "true" : "false");
        });
        document.querySelectorAll("[data-panel]").forEach(function (panel) {
          panel.hidden = panel.dataset.panel !== name;
        });
      };
      tabs.forEach(function (tab) {
        tab.addEventListener("click", function () {
          show(tab.dataset.tab);
          if (tab.dataset.tab === "preview") { refreshPreview(); }
        });
      });
      var selected = tablist.querySelector('[aria-selected="true"]');
      show(selected ? selected.dataset.tab : "preview");
      tablist.hidden = false;
    }
    var editor = document.getElementById("markdown");
    var previewBody = document.getElementById("preview-body");
    var previewed = editor ? editor.value : null;
    // Render the editor's unsaved text on the server (the same sanitiser as saved drafts).
    function refreshPreview() {
      if (!editor || !previewBody || editor.value === previewed) { return; }
      var text = editor.value;
      var token = document.querySelector("#edit-form input[name=csrf_token]").value;
      var body = new URLSearchParams();
      body.set("markdown", text);
      fetch(previewBody.dataset.previewUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRF-Token": token}
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (html) {
        previewBody.innerHTML = html;  // sanitised by the server (markdown-it + nh3)
        previewed = text;
        document.getElementById("unsaved-note").hidden = false;
      }).catch(function () { /* the saved preview stays; saving still works */ });
    }
    var form = document.getElementById("edit-form");
    if (editor && form) {
      var original = editor.value;
      var leaving = function (event) {
        if (editor.value !== original) {
          event.preventDefault();
          event.returnValue = "";
        }
      };
      window.addEventListener("beforeunload", leaving);
      form.addEventListener("submit", function () {
        window.removeEventListener("beforeunload", leaving);
      });
      if (document.getElementById("conflict")) { original = null; }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
