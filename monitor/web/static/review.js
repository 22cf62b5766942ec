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
        tab.addEventListener("click", function () { show(tab.dataset.tab); });
      });
      var selected = tablist.querySelector('[aria-selected="true"]');
      show(selected ? selected.dataset.tab : "preview");
      tablist.hidden = false;
    }
    var editor = document.getElementById("markdown");
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
