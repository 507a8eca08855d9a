// Conditional catalogue fields: hide a field while its condition (forms_catalog/conditions.py,
// rendered as data-condition) does not hold for what the page holds. A rule on a field of an
// earlier step carries that step's answer ("known"). The server applies the same rules (and
// ignores whatever a hidden field sends), so this is comfort, not a control.
(function () {
  var form = document.getElementById("wizard-form");
  if (!form) { return; }
  function inputsOf(key) {
    return Array.prototype.filter.call(
      form.querySelectorAll('[name$="-' + key + '"], [name*="-' + key + '__"]'),
      function (input) {
        var box = input.closest("[data-condition]");
        return input.type !== "hidden" && !(box && box.hidden);
      });
  }
  function valueOf(key) {
    var inputs = inputsOf(key), values = [];
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { continue; }
      if ((input.value || "").trim() !== "") { values.push(input.value.trim()); }
    }
    return values;
  }
  function number(text) {
    var cleaned = String(text).replace(/[\s\u202f]/g, "").replace(",", ".");
    return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(cleaned) ? parseFloat(cleaned) : null;
  }
  function holds(rule) {
    var values = valueOf(rule.key);
    if (!inputsOf(rule.key).length && rule.known !== null && rule.known !== undefined) {
      values = [].concat(rule.known === "" ? [] : rule.known);
    }
    var filled = values.length > 0;
    var first = filled ? String(values[0]).toLowerCase() : "";
    var expected = String(rule.value || "").toLowerCase();
    switch (rule.operator) {
      case "filled": return filled;
      case "empty": return !filled;
      case "equals": return filled && first === expected;
      case "not_equals": return filled && first !== expected;
      case "gt": case "lt":
        var a = number(first), b = number(expected);
        if (a === null || b === null) { return false; }
        return rule.operator === "gt" ? a > b : a < b;
    }
    return false;
  }
  function refresh() {
    form.querySelectorAll("[data-condition]").forEach(function (box) {
      var condition = JSON.parse(box.dataset.condition);
      var results = condition.rules.map(holds);
      box.hidden = !(condition.combine === "or" ? results.some(Boolean) : results.every(Boolean));
    });
  }
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh(); refresh();  // twice: a field may depend on one that the first pass hid
})();
