/* "Full amount" beside the agreed total: one tap puts the full amount due back in the field. */
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target.closest && event.target.closest("button.fill-amount");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-fill"));
  if (field) {
    field.value = button.getAttribute("data-value");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  }
});
