// "Tout cocher" buttons: check every checkbox named by the button's data-select-all.
document.querySelectorAll("[data-select-all]").forEach(function (button) {
  button.addEventListener("click", function () {
    document.querySelectorAll('input[type="checkbox"][name="' + button.dataset.selectAll + '"]')
      .forEach(function (box) { box.checked = true; });
  });
});
