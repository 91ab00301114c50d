// The e-form builder (templates/eforms/builder/edit.html). Progressive enhancement: the page
// works without this script (the admin edits the JSON text, the server checks it on save).
// With it, the definition in the JSON text box is edited through real form controls: steps and
// fields are added, renamed, moved ("Lên"/"Xuống") and removed with buttons, the JSON box is kept
// in step, and the server renders a live preview of the current step with the citizens' renderer
// and says what a save would refuse. The server stays the judge: it checks everything again.
(function () {
  "use strict";

  // Text in Vietnamese first; Django's JavaScript catalogue (/jsi18n/, loaded by base.html) gives
  // the English when the admin reads the portal in English.
  var gettext = window.gettext || function (text) { return text; };
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_whole, name) { return String(values[name]); });
  }

  var root = document.getElementById("eform-builder");
  var textarea = document.getElementById("id_schema");
  var configNode = document.getElementById("eform-builder-config");
  if (!root || !textarea || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var form = document.getElementById("eform-builder-form");
  var readonly = root.getAttribute("data-readonly") === "1";
  var previewBox = document.getElementById("eform-builder-preview-box");
  var previewBody = document.getElementById("eform-preview");
  var previewStatus = document.getElementById("eform-preview-status");
  var previewSelect = document.getElementById("eform-preview-step");
  var jsonBox = document.getElementById("eform-builder-json-box");
  var serverErrors = document.querySelectorAll("#builder-errors li");

  var schema;
  try { schema = JSON.parse(textarea.value); } catch (e) { return; } // malformed: the JSON box is the editor
  if (!schema || !Array.isArray(schema.steps)) { return; }

  var TYPE_LABELS = {};
  config.types.forEach(function (t) { TYPE_LABELS[t.value] = t.label; });
  var DISPLAY = ["heading", "help"];
  var CHOICES = ["select", "radio", "checkboxes"];
  var NUMBERS = ["integer", "decimal", "money"];
  var PLACEHOLDER = ["text", "textarea", "integer", "decimal", "money", "select", "email", "phone", "citizen_id", "tax_code"];
  var PREFILLABLE = ["text", "textarea", "integer", "decimal", "money", "date", "select", "radio", "yes_no", "email", "phone", "citizen_id", "tax_code", "address"];
  var NO_REQUIRED = ["heading", "help", "declaration"];
  var OPERATORS = [
    ["equals", gettext("bằng")], ["not_equals", gettext("khác")], ["in", gettext("là một trong (phân cách bằng dấu phẩy)")],
    ["gt", gettext("lớn hơn")], ["gte", gettext("lớn hơn hoặc bằng")], ["lt", gettext("nhỏ hơn")], ["lte", gettext("nhỏ hơn hoặc bằng")],
    ["filled", gettext("đã điền")], ["empty", gettext("chưa điền")]
  ];
  var autoKeys = new WeakSet(); // fields and steps whose key follows their label / title
  var previewStep = schema.steps[0].key;
  var timer = null;
  var requestNumber = 0;

  // --- helpers -------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), value); }
      else if (name === "value") { node.value = value; }
      else if (name === "checked") { node.checked = true; }
      else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function hidden(text) { return el("span", { "class": "visually-hidden", text: text }); }

  function slug(text) {
    var plain = (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D");
    var key = plain.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    if (!/^[a-z]/.test(key)) { key = "truong" + (key ? "_" + key : ""); }
    return key.slice(0, 60).replace(/_+$/, "");
  }

  function allFields() {
    var list = [];
    schema.steps.forEach(function (step) {
      step.fields.forEach(function (f) {
        list.push(f);
        if (f.type === "repeating_group" && Array.isArray(f.fields)) { f.fields.forEach(function (c) { list.push(c); }); }
      });
    });
    return list;
  }

  function uniqueKey(base, owner, pool) {
    var taken = {};
    pool.forEach(function (item) { if (item !== owner) { taken[item.key] = true; } });
    var key = base, n = 2;
    while (taken[key]) { key = base + "_" + n; n += 1; }
    return key;
  }

  function eachCondition(visit) {
    function walk(condition) {
      if (!condition || typeof condition !== "object") { return; }
      visit(condition);
      (condition.all || []).forEach(walk);
      (condition.any || []).forEach(walk);
    }
    schema.steps.forEach(function (step) {
      walk(step.visible_if);
      step.fields.forEach(function (f) { walk(f.visible_if); (f.fields || []).forEach(function (c) { walk(c.visible_if); }); });
    });
    (schema.checks || []).forEach(function (check) { walk(check["if"]); walk(check.assert); });
  }

  function renameField(oldKey, newKey) {
    if (oldKey === newKey) { return; }
    eachCondition(function (c) {
      if (c.field === oldKey) { c.field = newKey; }
      if (c.other_field === oldKey) { c.other_field = newKey; }
    });
    allFields().forEach(function (f) { if (f.date_of_birth_field === oldKey) { f.date_of_birth_field = newKey; } });
  }

  function setOrDelete(object, name, value) {
    if (value === "" || value === null || value === undefined || (typeof value === "number" && isNaN(value))) { delete object[name]; }
    else { object[name] = value; }
  }

  // --- state changes -------------------------------------------------------------------------

  function changed() {
    textarea.value = JSON.stringify(schema, null, 2);
    schedulePreview();
  }

  function rerender(focusId) {
    render();
    changed();
    if (focusId) {
      var target = document.getElementById(focusId);
      if (target) { target.focus(); }
    }
  }

  // --- rendering -----------------------------------------------------------------------------

  function textField(id, label, value, onInput, extra) {
    var attrs = Object.assign({ id: id, type: "text", value: value === undefined ? "" : String(value), oninput: onInput }, extra || {});
    return el("div", { "class": "field" }, [el("label", { "for": id, text: label }), el("input", attrs)]);
  }

  function selectField(id, label, options, value, onChange) {
    var select = el("select", { id: id, onchange: onChange });
    options.forEach(function (o) {
      var option = el("option", { value: o[0], text: o[1] });
      if (String(o[0]) === String(value === undefined ? "" : value)) { option.selected = true; }
      select.appendChild(option);
    });
    return el("div", { "class": "field" }, [el("label", { "for": id, text: label }), select]);
  }

  function checkboxField(id, label, checked, onChange) {
    return el("div", { "class": "field checkbox-field" }, [
      el("input", { id: id, type: "checkbox", checked: !!checked, onchange: onChange }),
      el("label", { "for": id, text: label })
    ]);
  }

  function button(id, text, hiddenText, onClick, cls) {
    return el("button", { type: "button", id: id, "class": cls || "button-secondary button-small", onclick: onClick }, [
      document.createTextNode(text), hiddenText ? hidden(" " + hiddenText) : null
    ]);
  }

  function render() {
    root.textContent = "";
    root.appendChild(textField("b-title", gettext("Tiêu đề biểu mẫu"), schema.title || "", function (e) {
      setOrDelete(schema, "title", e.target.value); changed();
    }));
    var list = el("ol", { "class": "builder-steps" });
    schema.steps.forEach(function (step, index) { list.appendChild(renderStep(step, index)); });
    root.appendChild(list);
    root.appendChild(button("b-add-step", gettext("Thêm bước"), null, addStep, "button-secondary"));
    root.appendChild(renderChecks());
    updatePreviewSelect();
    showErrors(lastErrors);
  }

  function renderStep(step, index) {
    var id = "b-s" + index;
    var name = step.title || fmt(gettext("Bước %(n)s"), { n: index + 1 });
    var section = el("li", { "class": "builder-step", id: id, "data-step": step.key, "aria-labelledby": id + "-heading" });
    section.addEventListener("focusin", function () { if (previewStep !== step.key) { previewStep = step.key; updatePreviewSelect(); schedulePreview(); } });
    section.appendChild(el("h2", { id: id + "-heading", "class": "h3", text: fmt(gettext("Bước %(n)s: %(name)s"), { n: index + 1, name: name }) }));
    section.appendChild(el("div", { "class": "builder-errors-inline", id: id + "-errors" }));
    section.appendChild(textField(id + "-title", gettext("Tên bước"), step.title, function (e) {
      step.title = e.target.value;
      document.getElementById(id + "-heading").textContent = fmt(gettext("Bước %(n)s: %(name)s"), { n: index + 1, name: step.title || "" });
      if (autoKeys.has(step)) {
        var old = step.key;
        step.key = uniqueKey(slug(step.title), step, schema.steps);
        if (previewStep === old) { previewStep = step.key; }
        section.setAttribute("data-step", step.key);
        document.getElementById(id + "-key").value = step.key;
      }
      updatePreviewSelect();
      changed();
    }));
    section.appendChild(textField(id + "-key", gettext("Mã bước (chữ thường không dấu, số, dấu gạch dưới)"), step.key, function (e) {
      autoKeys.delete(step);
      if (previewStep === step.key) { previewStep = e.target.value; }
      step.key = e.target.value;
      changed();
    }, { spellcheck: "false", autocomplete: "off" }));
    section.appendChild(el("div", { "class": "field" }, [
      el("label", { "for": id + "-description", text: gettext("Mô tả bước") }),
      el("textarea", { id: id + "-description", rows: "2", value: step.description || "", oninput: function (e) { setOrDelete(step, "description", e.target.value); changed(); } })
    ]));
    section.appendChild(renderCondition(step, id, earlierFields(index, -1), gettext("Chỉ hiện bước này khi")));
    var actions = el("div", { "class": "button-row builder-step-actions" });
    if (index > 0) { actions.appendChild(button(id + "-up", gettext("Lên"), fmt(gettext("bước %(name)s"), { name: name }), function () { moveStep(index, -1); })); }
    if (index < schema.steps.length - 1) { actions.appendChild(button(id + "-down", gettext("Xuống"), fmt(gettext("bước %(name)s"), { name: name }), function () { moveStep(index, 1); })); }
    if (schema.steps.length > 1) { actions.appendChild(button(id + "-remove", gettext("Xóa bước"), name, function () { removeStep(index); })); }
    section.appendChild(actions);
    var fields = el("ol", { "class": "builder-fields", "aria-label": fmt(gettext("Các trường của bước %(n)s"), { n: index + 1 }) });
    step.fields.forEach(function (f, position) { fields.appendChild(renderField(step, index, f, position)); });
    section.appendChild(fields);
    var types = config.types.map(function (t) { return [t.value, t.label]; });
    var add = el("div", { "class": "builder-add-field" }, [
      selectField(id + "-newtype", gettext("Loại trường mới"), types, "text", function () {}),
      button(id + "-add", gettext("Thêm trường"), fmt(gettext("vào bước %(n)s"), { n: index + 1 }), function () {
        addField(index, document.getElementById(id + "-newtype").value);
      }, "button-secondary")
    ]);
    section.appendChild(add);
    return section;
  }

  function earlierFields(stepIndex, position) {
    // Fields a rule here may read: value fields of earlier steps, and of this step before `position`.
    var list = [];
    schema.steps.forEach(function (step, i) {
      if (i > stepIndex) { return; }
      step.fields.forEach(function (f, j) {
        if (i === stepIndex && (position < 0 || j >= position)) { return; }
        if (DISPLAY.indexOf(f.type) === -1) { list.push(f); }
      });
    });
    return list;
  }

  function fieldName(f) { return f.label || f.key; }

  function renderField(step, stepIndex, f, position) {
    var id = "b-s" + stepIndex + "-f" + position;
    var item = el("li", { "class": "builder-field", id: id, "data-field": f.key });
    var legend = el("h3", { "class": "h4", id: id + "-heading" });
    function title() { legend.textContent = fmt(gettext("Trường %(n)s (%(type)s): %(name)s"), { n: position + 1, type: TYPE_LABELS[f.type] || f.type, name: fieldName(f) }); }
    title();
    item.appendChild(legend);
    item.appendChild(el("div", { "class": "builder-errors-inline", id: id + "-errors" }));
    if (f.type === "help") {
      item.appendChild(el("div", { "class": "field" }, [
        el("label", { "for": id + "-label", text: gettext("Nội dung hướng dẫn") }),
        el("textarea", { id: id + "-label", rows: "3", value: f.text || "", oninput: function (e) { f.text = e.target.value; changed(); } })
      ]));
    } else {
      item.appendChild(textField(id + "-label", gettext("Nhãn"), f.label, function (e) {
        f.label = e.target.value;
        title();
        if (autoKeys.has(f)) {
          var old = f.key;
          f.key = uniqueKey(slug(f.label), f, allFields());
          renameField(old, f.key);
          item.setAttribute("data-field", f.key);
          document.getElementById(id + "-key").value = f.key;
        }
        changed();
      }));
    }
    item.appendChild(textField(id + "-key", gettext("Mã trường (tự tạo từ nhãn, sửa được)"), f.key, function (e) {
      autoKeys.delete(f);
      renameField(f.key, e.target.value);
      f.key = e.target.value;
      item.setAttribute("data-field", f.key);
      changed();
    }, { spellcheck: "false", autocomplete: "off" }));
    if (NO_REQUIRED.indexOf(f.type) === -1) {
      item.appendChild(checkboxField(id + "-required", gettext("Bắt buộc"), f.required, function (e) {
        if (e.target.checked) { f.required = true; } else { delete f.required; }
        changed();
      }));
    }
    if (f.type !== "help") {
      item.appendChild(el("div", { "class": "field" }, [
        el("label", { "for": id + "-help", text: gettext("Hướng dẫn") }),
        el("textarea", { id: id + "-help", rows: "2", value: f.help_text || "", oninput: function (e) { setOrDelete(f, "help_text", e.target.value); changed(); } })
      ]));
    }
    if (PLACEHOLDER.indexOf(f.type) !== -1) {
      item.appendChild(textField(id + "-placeholder", gettext("Gợi ý nhập"), f.placeholder, function (e) { setOrDelete(f, "placeholder", e.target.value); changed(); }));
    }
    renderTypeOptions(item, id, f);
    if (PREFILLABLE.indexOf(f.type) !== -1) {
      var sources = [["", gettext("(không điền sẵn)")]].concat(config.prefill.map(function (p) { return [p.value, p.label]; }));
      item.appendChild(selectField(id + "-prefill", gettext("Điền sẵn từ"), sources, f.prefill, function (e) { setOrDelete(f, "prefill", e.target.value); changed(); }));
    }
    item.appendChild(renderCondition(f, id, earlierFields(stepIndex, position), gettext("Chỉ hiện trường này khi")));
    var name = fieldName(f);
    var actions = el("div", { "class": "button-row builder-field-actions" });
    if (position > 0) { actions.appendChild(button(id + "-up", gettext("Lên"), fmt(gettext("trường %(name)s"), { name: name }), function () { moveField(stepIndex, position, -1); })); }
    if (position < step.fields.length - 1) { actions.appendChild(button(id + "-down", gettext("Xuống"), fmt(gettext("trường %(name)s"), { name: name }), function () { moveField(stepIndex, position, 1); })); }
    actions.appendChild(button(id + "-remove", gettext("Xóa trường"), name, function () { removeField(stepIndex, position); }));
    item.appendChild(actions);
    return item;
  }

  function numberInput(item, id, label, f, name, integer) {
    item.appendChild(textField(id, label, f[name], function (e) {
      var raw = e.target.value.trim();
      setOrDelete(f, name, raw === "" ? "" : (integer ? parseInt(raw, 10) : Number(raw.replace(",", "."))));
      changed();
    }, { inputmode: "numeric" }));
  }

  function renderTypeOptions(item, id, f) {
    if (CHOICES.indexOf(f.type) !== -1) {
      var lines = (f.options || []).map(function (o) { return o.value === slug(o.label) ? o.label : o.value + " = " + o.label; });
      item.appendChild(el("div", { "class": "field" }, [
        el("label", { "for": id + "-options", text: gettext("Các lựa chọn") }),
        el("p", { "class": "hint", id: id + "-options-hint", text: gettext("Mỗi dòng một lựa chọn. Mã tự tạo từ nhãn; muốn đặt mã riêng, viết “mã = Nhãn”.") }),
        el("textarea", { id: id + "-options", rows: "4", "aria-describedby": id + "-options-hint", value: lines.join("\n"), oninput: function (e) {
          f.options = e.target.value.split("\n").map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
            var match = /^([a-z0-9_]+)\s*=\s*(.+)$/.exec(line);
            return match ? { value: match[1], label: match[2].trim() } : { value: slug(line), label: line };
          });
          changed();
        } })
      ]));
    }
    if (NUMBERS.indexOf(f.type) !== -1) {
      numberInput(item, id + "-min", gettext("Giá trị nhỏ nhất"), f, "min", f.type !== "decimal");
      numberInput(item, id + "-max", gettext("Giá trị lớn nhất"), f, "max", f.type !== "decimal");
    }
    if (f.type === "date") {
      item.appendChild(textField(id + "-min", gettext("Ngày nhỏ nhất (yyyy-mm-dd hoặc today)"), f.min, function (e) { setOrDelete(f, "min", e.target.value.trim()); changed(); }));
      item.appendChild(textField(id + "-max", gettext("Ngày lớn nhất (yyyy-mm-dd hoặc today)"), f.max, function (e) { setOrDelete(f, "max", e.target.value.trim()); changed(); }));
    }
    if (f.type === "text" || f.type === "textarea") {
      numberInput(item, id + "-min-length", gettext("Độ dài tối thiểu"), f, "min_length", true);
      numberInput(item, id + "-max-length", gettext("Độ dài tối đa"), f, "max_length", true);
    }
    if (f.type === "file") {
      var components = [["", gettext("(chọn thành phần hồ sơ)")]].concat(config.components.map(function (c) { return [c, c]; }));
      item.appendChild(selectField(id + "-component", gettext("Thành phần hồ sơ"), components, f.component, function (e) { setOrDelete(f, "component", e.target.value); changed(); }));
      numberInput(item, id + "-max-size", gettext("Dung lượng tối đa (MB)"), f, "max_size_mb", false);
      item.appendChild(checkboxField(id + "-multiple", gettext("Cho phép nhiều tệp"), f.multiple, function (e) { if (e.target.checked) { f.multiple = true; } else { delete f.multiple; } changed(); }));
    }
    if (f.type === "repeating_group") {
      item.appendChild(el("p", { "class": "hint", text: fmt(gettext("Bảng có %(n)s cột; sửa các cột trong phần JSON."), { n: (f.fields || []).length }) }));
      numberInput(item, id + "-min-rows", gettext("Số dòng tối thiểu"), f, "min_rows", true);
      numberInput(item, id + "-max-rows", gettext("Số dòng tối đa"), f, "max_rows", true);
    }
  }

  function conditionValueToText(value) {
    if (value === undefined || value === null) { return ""; }
    if (Array.isArray(value)) { return value.join(", "); }
    if (value === true) { return "true"; }
    if (value === false) { return "false"; }
    return String(value);
  }

  function textToConditionValue(text, target, op) {
    function one(raw) {
      raw = raw.trim();
      if (!target) { return raw; }
      if (target.type === "yes_no" || target.type === "declaration") { return raw === "true"; }
      if (NUMBERS.indexOf(target.type) !== -1 && raw !== "" && !isNaN(Number(raw))) { return Number(raw); }
      return raw;
    }
    if (op === "in") { return text.split(",").map(one).filter(function (v) { return v !== ""; }); }
    return one(text);
  }

  function renderCondition(owner, id, candidates, legendText) {
    var box = el("fieldset", { "class": "builder-condition" }, [el("legend", { text: legendText })]);
    var condition = owner.visible_if;
    if (condition && !condition.field) {
      box.appendChild(el("p", { "class": "hint", text: gettext("Điều kiện kết hợp (tất cả / một trong) – sửa trong phần JSON.") }));
      box.appendChild(button(id + "-rule-clear", gettext("Bỏ điều kiện"), null, function () { delete owner.visible_if; rerender(id + "-rule-field"); }));
      return box;
    }
    var fieldOptions = [["", gettext("(luôn hiện)")]].concat(candidates.map(function (f) { return [f.key, fieldName(f) + " (" + f.key + ")"]; }));
    var target = null;
    candidates.forEach(function (f) { if (condition && f.key === condition.field) { target = f; } });
    box.appendChild(selectField(id + "-rule-field", gettext("Trường"), fieldOptions, condition ? condition.field : "", function (e) {
      if (!e.target.value) { delete owner.visible_if; }
      else { owner.visible_if = { field: e.target.value, op: (owner.visible_if && owner.visible_if.op) || "equals" }; }
      rerender(id + "-rule-field");
    }));
    if (!condition) { return box; }
    box.appendChild(selectField(id + "-rule-op", gettext("Phép so sánh"), OPERATORS, condition.op, function (e) {
      condition.op = e.target.value;
      if (condition.op === "filled" || condition.op === "empty") { delete condition.value; }
      rerender(id + "-rule-op");
    }));
    if (condition.op === "filled" || condition.op === "empty") { return box; }
    if (target && (target.type === "yes_no" || target.type === "declaration")) {
      if (condition.value === undefined) { condition.value = true; }
      box.appendChild(selectField(id + "-rule-value", gettext("Giá trị"), [["true", gettext("Có")], ["false", gettext("Không")]], conditionValueToText(condition.value), function (e) {
        condition.value = e.target.value === "true"; changed();
      }));
    } else if (target && CHOICES.indexOf(target.type) !== -1 && condition.op !== "in") {
      var options = (target.options || []).map(function (o) { return [o.value, o.label]; });
      if (condition.value === undefined && options.length) { condition.value = options[0][0]; }
      box.appendChild(selectField(id + "-rule-value", gettext("Giá trị"), options, condition.value, function (e) { condition.value = e.target.value; changed(); }));
    } else {
      box.appendChild(textField(id + "-rule-value", gettext("Giá trị"), conditionValueToText(condition.value), function (e) {
        condition.value = textToConditionValue(e.target.value, target, condition.op); changed();
      }));
    }
    return box;
  }

  function renderChecks() {
    var checks = schema.checks || [];
    var box = el("section", { "class": "builder-checks", "aria-labelledby": "b-checks-heading" }, [
      el("h2", { "class": "h3", id: "b-checks-heading", text: gettext("Kiểm tra chéo giữa các trường") }),
      el("p", { "class": "hint", text: checks.length ? gettext("Các kiểm tra được giữ nguyên khi lưu; sửa điều kiện trong phần JSON.") : gettext("Chưa có kiểm tra chéo (thêm trong phần JSON nếu cần).") })
    ]);
    if (checks.length) {
      var list = el("ol");
      checks.forEach(function (check, index) {
        list.appendChild(el("li", {}, [
          document.createTextNode(check.message + " "),
          button("b-check-" + index + "-remove", gettext("Xóa"), fmt(gettext("kiểm tra %(n)s"), { n: index + 1 }), function () {
            checks.splice(index, 1);
            if (!checks.length) { delete schema.checks; }
            rerender("b-add-step");
          })
        ]));
      });
      box.appendChild(list);
    }
    return box;
  }

  // --- structure -----------------------------------------------------------------------------

  function newField(type) {
    var base = TYPE_LABELS[type] || "Trường mới";
    var f = { key: "", type: type };
    if (type === "help") { f.text = "Nội dung hướng dẫn"; } else { f.label = base; }
    if (CHOICES.indexOf(type) !== -1) { f.options = [{ value: "lua_chon_1", label: "Lựa chọn 1" }, { value: "lua_chon_2", label: "Lựa chọn 2" }]; }
    if (type === "file") { f.component = config.components.length ? config.components[0] : 1; }
    if (type === "repeating_group") { f.fields = [{ key: "", type: "text", label: "Cột 1" }]; }
    if (type === "declaration") { f.label = "Tôi cam đoan những thông tin trên là đúng sự thật."; }
    f.key = uniqueKey(slug(type === "help" ? "huong_dan" : f.label), f, allFields());
    if (f.fields) { f.fields[0].key = uniqueKey(f.key + "_cot_1", f.fields[0], allFields()); }
    autoKeys.add(f);
    return f;
  }

  function addField(stepIndex, type) {
    var step = schema.steps[stepIndex];
    step.fields.push(newField(type));
    rerender("b-s" + stepIndex + "-f" + (step.fields.length - 1) + "-label");
    announce(fmt(gettext("Đã thêm trường mới vào bước %(n)s."), { n: stepIndex + 1 }));
  }

  function removeField(stepIndex, position) {
    var step = schema.steps[stepIndex];
    var name = fieldName(step.fields[position]);
    if (step.fields.length === 1) { announce(gettext("Mỗi bước cần ít nhất một trường; hãy thêm trường khác trước.")); return; }
    step.fields.splice(position, 1);
    var next = Math.min(position, step.fields.length - 1);
    rerender("b-s" + stepIndex + "-f" + next + "-label");
    announce(fmt(gettext("Đã xóa trường %(name)s."), { name: name }));
  }

  function moveField(stepIndex, position, delta) {
    var fields = schema.steps[stepIndex].fields;
    var target = position + delta;
    var moved = fields.splice(position, 1)[0];
    fields.splice(target, 0, moved);
    render();
    changed();
    var prefix = "b-s" + stepIndex + "-f" + target;
    var node = document.getElementById(prefix + (delta < 0 ? "-up" : "-down")) ||
      document.getElementById(prefix + (delta < 0 ? "-down" : "-up")) || document.getElementById(prefix + "-label");
    if (node) { node.focus(); }
    announce(fmt(gettext("Đã chuyển trường %(name)s tới vị trí %(n)s."), { name: fieldName(moved), n: target + 1 }));
  }

  function addStep() {
    var number = schema.steps.length + 1;
    var step = { key: "", title: "Bước " + number, fields: [] };
    step.key = uniqueKey(slug("buoc " + number), step, schema.steps);
    autoKeys.add(step);
    step.fields.push(newField("text"));
    schema.steps.push(step);
    previewStep = step.key;
    rerender("b-s" + (schema.steps.length - 1) + "-title");
    announce(fmt(gettext("Đã thêm bước %(n)s."), { n: number }));
  }

  function removeStep(index) {
    var name = schema.steps[index].title;
    schema.steps.splice(index, 1);
    previewStep = schema.steps[Math.min(index, schema.steps.length - 1)].key;
    rerender("b-s" + Math.min(index, schema.steps.length - 1) + "-title");
    announce(fmt(gettext("Đã xóa bước %(name)s."), { name: name }));
  }

  function moveStep(index, delta) {
    var target = index + delta;
    var moved = schema.steps.splice(index, 1)[0];
    schema.steps.splice(target, 0, moved);
    render();
    changed();
    var prefix = "b-s" + target;
    var node = document.getElementById(prefix + (delta < 0 ? "-up" : "-down")) || document.getElementById(prefix + (delta < 0 ? "-down" : "-up")) || document.getElementById(prefix + "-title");
    if (node) { node.focus(); }
    announce(fmt(gettext("Đã chuyển bước %(name)s tới vị trí %(n)s."), { name: moved.title, n: target + 1 }));
  }

  function announce(text) { previewStatus.textContent = text; }

  // --- errors next to the fields ----------------------------------------------------------------

  var lastErrors = [];

  function showErrors(errors) {
    lastErrors = errors;
    Array.prototype.forEach.call(root.querySelectorAll(".builder-errors-inline"), function (node) { node.textContent = ""; });
    errors.forEach(function (message) {
      var match = /^(?:Bước|Step) (\d+), (?:trường|field) “([^”]+)”/.exec(message);
      var target = null;
      if (match) {
        var stepNode = document.getElementById("b-s" + (Number(match[1]) - 1));
        var fieldNode = stepNode && stepNode.querySelector('[data-field="' + match[2].replace(/"/g, "") + '"]');
        target = fieldNode ? fieldNode.querySelector(".builder-errors-inline") : null;
      }
      if (!target) {
        var stepMatch = /^(?:Bước|Step) (\d+)/.exec(message);
        if (stepMatch) { target = document.getElementById("b-s" + (Number(stepMatch[1]) - 1) + "-errors"); }
      }
      if (target) { target.appendChild(el("p", { "class": "field-error", text: message })); }
    });
  }

  // --- live preview ------------------------------------------------------------------------------

  function updatePreviewSelect() {
    previewSelect.textContent = "";
    schema.steps.forEach(function (step, index) {
      var option = el("option", { value: step.key, text: fmt(gettext("Bước %(n)s: %(name)s"), { n: index + 1, name: step.title || step.key }) });
      if (step.key === previewStep) { option.selected = true; }
      previewSelect.appendChild(option);
    });
  }

  function schedulePreview() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refreshPreview, 400);
  }

  function refreshPreview() {
    timer = null;
    var number = ++requestNumber;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("schema", JSON.stringify(schema));
    body.append("step", previewStep);
    previewBox.setAttribute("aria-busy", "true");
    fetch(config.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (number !== requestNumber) { return; } // an older answer arriving late
        previewBox.removeAttribute("aria-busy");
        previewBody.innerHTML = data.html; // rendered and escaped by the server's templates
        var problems = document.getElementById("eform-preview-problems");
        problems.textContent = "";
        if (data.errors.length) {
          problems.appendChild(el("p", { "class": "field-error", text: fmt(gettext("Biểu mẫu hiện có %(n)s lỗi; sửa trước khi lưu:"), { n: data.errors.length }) }));
          var list = el("ul", { "class": "errorlist" });
          data.errors.forEach(function (message) { list.appendChild(el("li", { text: message })); });
          problems.appendChild(list);
        }
        showErrors(data.errors);
      })
      .catch(function () {
        previewBox.removeAttribute("aria-busy");
        previewBody.textContent = gettext("Không tải được phần xem trước; biểu mẫu vẫn lưu được.");
      });
  }

  // --- start -------------------------------------------------------------------------------------

  if (readonly) {
    textarea.readOnly = true;
  } else {
    render();
    if (jsonBox) { jsonBox.open = false; }
    textarea.addEventListener("change", function () {
      try {
        var parsed = JSON.parse(textarea.value);
        if (parsed && Array.isArray(parsed.steps) && parsed.steps.length) { schema = parsed; previewStep = schema.steps[0].key; render(); schedulePreview(); }
      } catch (e) { announce(gettext("Nội dung JSON chưa đúng cú pháp; phần soạn thảo giữ bản trước.")); }
    });
  }
  previewBox.hidden = false;
  previewBox.insertBefore(el("div", { id: "eform-preview-problems" }), previewBody);
  previewSelect.addEventListener("change", function () { previewStep = previewSelect.value; refreshPreview(); });
  if (readonly) { updatePreviewSelect(); }
  var initial = Array.prototype.map.call(serverErrors, function (li) { return li.textContent; });
  if (initial.length) {
    showErrors(initial);
    document.getElementById("builder-errors").focus();
  }
  refreshPreview();
})();
