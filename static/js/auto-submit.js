// A select marked data-auto-submit sends its form when changed (the button is for no-JS).
document.querySelectorAll("[data-auto-submit]").forEach(function (field) {
  field.addEventListener("change", function () { field.form.submit(); });
});
