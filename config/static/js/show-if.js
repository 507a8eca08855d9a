// Conditional catalogue fields: hide a field while the yes/no or choice field it depends on
// does not have the expected value. The server applies the same rule (and ignores whatever
// a hidden field sends), so this is comfort, not a control.
(function () {
  var form = document.getElementById("wizard-form");
  if (!form) { return; }
  function valueOf(key) {
    var inputs = form.querySelectorAll('[name$="-' + key + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { continue; }
      return (input.value || "").toLowerCase();
    }
    return "";
  }
  function refresh() {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      box.hidden = valueOf(box.dataset.showIf) !== box.dataset.showIfValue;
    });
  }
  form.addEventListener("change", refresh);
  refresh();
})();
