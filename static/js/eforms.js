// E-form wizard pages. Convenience only: without this script every field is shown and the
// server decides, on submission, which fields count (eforms/rules.py is the one judge).
//  - a field whose rule reads a field of the same page ([data-visible-if]) is shown or hidden
//    as the user answers, with the same operators as eforms/rules.py;
//  - the ward list of an address follows the chosen province;
//  - the error summary takes the focus when a page comes back with errors.
(function () {
  "use strict";

  var summary = document.querySelector(".eform-wizard .error-summary");
  if (summary) { summary.focus(); }

  var form = document.querySelector("form[data-eform-step][data-eform-kinds]");
  if (form) { setUpRules(form); }
  Array.prototype.forEach.call(document.querySelectorAll(".eform-wizard .eform-address"), setUpAddress);

  function setUpRules(form) {
    var prefix = form.getAttribute("data-eform-step") + "-";
    var kinds = JSON.parse(form.getAttribute("data-eform-kinds") || "{}");
    var earlier = JSON.parse(form.getAttribute("data-eform-answers") || "{}");
    var groups = [];
    Array.prototype.forEach.call(form.querySelectorAll("[data-visible-if]"), function (element) {
      var group = element.closest(".eform-field");
      if (group && groups.every(function (g) { return g.group !== group; })) {
        groups.push({ group: group, condition: JSON.parse(element.getAttribute("data-visible-if")) });
      }
    });
    if (!groups.length) { return; }

    function isEmpty(value) {
      if (value === null || value === undefined) { return true; }
      if (typeof value === "string") { return value.trim() === ""; }
      if (Array.isArray(value)) { return value.length === 0; }
      return false;
    }

    // The inputs of a field: its name; an address's three parts; a table's cells (<key>-<row>-<column>).
    function inputs(key) {
      var name = prefix + key;
      var parts = [name + "_province_code", name + "_ward_code", name + "_street"];
      return Array.prototype.filter.call(form.elements, function (element) {
        return element.name === name || parts.indexOf(element.name) !== -1 || element.name.indexOf(name + "-") === 0;
      });
    }

    function number(text) {
      var compact = String(text).replace(/\s/g, "");
      if (/^[0-9]{1,3}([.,][0-9]{3})+$/.test(compact)) { compact = compact.replace(/[.,]/g, ""); }
      compact = compact.replace(",", ".");
      return /^[+-]?[0-9]+(\.[0-9]+)?$/.test(compact) ? parseFloat(compact) : null;
    }

    function today() {
      var now = new Date();
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
    }

    // A page value as the server's clean value would be (or an earlier answer), by kind.
    function valueOf(key) {
      var kind = kinds[key];
      var elements = inputs(key);
      if (!elements.length) { return coerce(kind, earlier[key]); }
      var first = elements[0];
      if (kind === "multi") {
        return elements.filter(function (e) { return e.checked; }).map(function (e) { return e.value; });
      }
      if (first.type === "radio") {
        var chosen = elements.filter(function (e) { return e.checked; })[0];
        return coerce(kind, chosen ? chosen.value : null);
      }
      if (first.type === "checkbox") { return first.checked; }
      if (kind === "composite") {
        return elements.some(function (e) { return !isEmpty(e.value); }) ? "filled" : null;
      }
      return coerce(kind, first.value);
    }

    function coerce(kind, value) {
      if (value === null || value === undefined) { return null; }
      if (kind === "bool") {
        if (typeof value === "boolean") { return value; }
        return value === "true" ? true : value === "false" ? false : null;
      }
      if (kind === "number") { return typeof value === "number" ? value : number(value); }
      if (kind === "date") { return value === "today" ? today() : (/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null); }
      if (kind === "multi") { return Array.isArray(value) ? value : [value]; }
      return typeof value === "string" ? value.trim() : value;
    }

    function same(left, right, kind) {
      return kind === "multi" ? left.indexOf(right) !== -1 : left === right;
    }

    function holds(condition) {
      if (condition.all) { return condition.all.every(holds); }
      if (condition.any) { return condition.any.some(holds); }
      var kind = kinds[condition.field];
      var left = valueOf(condition.field);
      if (condition.op === "filled") { return !isEmpty(left); }
      if (condition.op === "empty") { return isEmpty(left); }
      var missing = condition.op === "not_equals";
      if (isEmpty(left)) { return missing; }
      var literalKind = kind === "multi" ? "text" : kind;
      var right;
      if (condition.other_field) { right = valueOf(condition.other_field); }
      else if (condition.op === "in") { right = condition.value.map(function (v) { return coerce(literalKind, v); }); }
      else { right = coerce(literalKind, condition.value); }
      if (right === null || right === undefined) { return missing; }
      switch (condition.op) {
        case "equals": return same(left, right, kind);
        case "not_equals": return !same(left, right, kind);
        case "in": return right.some(function (item) { return same(left, item, kind); });
        case "gt": return left > right;
        case "gte": return left >= right;
        case "lt": return left < right;
        case "lte": return left <= right;
      }
      return true;  // an operator this script does not know: show the field, the server decides
    }

    function update() {
      groups.forEach(function (item) { item.group.hidden = !holds(item.condition); });
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function setUpAddress(box) {
    var selects = box.querySelectorAll("select");
    var province = selects[0];
    var ward = selects[1];
    if (!province || !ward || !ward.getAttribute("data-wards-url") || !window.fetch) { return; }
    province.addEventListener("change", function () {
      var url = ward.getAttribute("data-wards-url") + "?tinh=" + encodeURIComponent(province.value);
      ward.disabled = true;
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var first = ward.options[0];
          ward.innerHTML = "";
          ward.appendChild(first);
          (data.wards || []).forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.code;
            option.textContent = item.name;
            ward.appendChild(option);
          });
        })
        .finally(function () { ward.disabled = false; });
    });
  }
})();
