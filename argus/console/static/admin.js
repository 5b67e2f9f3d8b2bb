// The module-descriptions and eval-runs pages: "select all" checkboxes, and forms that take a
// while (drafting) saying so while they run.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-select-all]").forEach((all) => {
    const form = all.closest("form");
    all.addEventListener("change", () => {
      form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)
        .forEach((box) => { box.checked = all.checked; });
    });
  });
  document.querySelectorAll("form[data-busy]").forEach((form) => {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button[type=submit]");
      if (!button) return;
      // after the submission has started: a disabled button would not be submitted
      window.setTimeout(() => { button.disabled = true; button.textContent = form.dataset.busy; }, 0);
    });
  });
});
