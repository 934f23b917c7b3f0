/*
 * Survey pages: show and hide questions as answers change, and warn about a failed
 * constraint, with the same rules the server applies (surveys/logic.py).  The page works
 * without this file: the server re-renders it with newly relevant questions shown.
 */
(function () {
  'use strict';
  var form = document.querySelector('form.survey-page');
  var expressions = window.SurveyExpressions;
  if (!form || !expressions) return;

  var stored = {};
  try {
    stored = JSON.parse(document.getElementById('survey-values').textContent) || {};
  } catch (error) { stored = {}; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll('.question[data-name]'));

  function inputs(box, selector) {
    return Array.prototype.slice.call(box.querySelectorAll(selector));
  }

  /* Numbers as the server reads them: "1.250" is 1250 in a whole-number question, "2,5" is 2.5. */
  function readNumber(text, kind) {
    var clean = text.replace(/[\s\u00a0]/g, '');
    if (/^-?\d+$/.test(clean)) return Number(clean);
    var grouped = /^-?\d{1,3}([.,])\d{3}(?:\1\d{3})*$/.exec(clean);
    if (grouped && (kind === 'integer' || clean.split(grouped[1]).length > 2)) {
      return Number(clean.split(grouped[1]).join(''));
    }
    if (kind === 'decimal') {
      if (clean.indexOf(',') >= 0 && clean.indexOf('.') >= 0) {
        var decimalMark = clean.lastIndexOf(',') > clean.lastIndexOf('.') ? ',' : '.';
        var groupMark = decimalMark === ',' ? '.' : ',';
        clean = clean.split(groupMark).join('').replace(decimalMark, '.');
      } else {
        clean = clean.replace(',', '.');
      }
      if (/^-?(\d+(\.\d*)?|\.\d+)$/.test(clean)) return Number(clean);
    }
    return text;
  }

  function valueOf(box) {
    var kind = box.getAttribute('data-kind');
    var base = 'q-' + box.getAttribute('data-name');
    switch (kind) {
      case 'single_choice':
      case 'rating':
        var checked = box.querySelector('input[name="' + base + '"]:checked');
        return checked ? checked.value : '';
      case 'dropdown':
        var select = box.querySelector('select[name="' + base + '"]');
        return select ? select.value : '';
      case 'multiple_choice':
        return inputs(box, 'input[name="' + base + '"]:checked').map(function (el) { return el.value; });
      case 'ranking':
        return inputs(box, 'select').filter(function (el) { return el.value; })
          .sort(function (a, b) { return Number(a.value) - Number(b.value); })
          .map(function (el) { return el.name.slice(base.length + 1); });
      case 'integer':
      case 'decimal':
        var number = box.querySelector('input[name="' + base + '"]');
        return number && number.value.trim() ? readNumber(number.value.trim(), kind) : '';
      case 'short_text':
      case 'long_text':
      case 'date':
        var text = box.querySelector('[name="' + base + '"]');
        return text ? text.value.trim() : '';
      case 'file':
        var upload = box.querySelector('input[type=file]');
        if (upload && upload.files && upload.files.length) return upload.files[0].name;
        var sent = box.querySelector('.uploaded');
        return sent ? sent.textContent : '';
      default:
        return '';
    }
  }

  function isEmpty(value) {
    return value === '' || value === null || value === undefined || (Array.isArray(value) && !value.length);
  }

  function test(expression, values, current) {
    try {
      return expressions.isTrue(expression, values, current);
    } catch (error) {
      return true; /* as on the server: a broken rule never blocks the respondent */
    }
  }

  function showOtherFields(box, value) {
    inputs(box, '.other-field[data-other-value]').forEach(function (field) {
      var name = field.getAttribute('data-other-value');
      field.hidden = Array.isArray(value) ? value.indexOf(name) < 0 : value !== name;
    });
  }

  function refresh() {
    var values = {};
    Object.keys(stored).forEach(function (name) { values[name] = stored[name]; });
    boxes.forEach(function (box) { values[box.getAttribute('data-name')] = valueOf(box); });
    var shown = [];
    boxes.forEach(function (box) {
      var name = box.getAttribute('data-name');
      var relevant = box.getAttribute('data-relevant');
      var visible = relevant ? test(relevant, values) : true;
      box.hidden = !visible;
      if (visible) shown.push(name); else values[name] = '';
      showOtherFields(box, values[name]);
    });
    if (form.elements.shown) form.elements.shown.value = shown.join(' ');
    return values;
  }

  function checkConstraint(box, values) {
    var constraint = box.getAttribute('data-constraint');
    var live = box.querySelector('.js-constraint');
    if (!constraint || !live) return;
    var current = values[box.getAttribute('data-name')];
    var message = box.getAttribute('data-constraint-message');
    var failed = !box.hidden && !isEmpty(current) && !test(constraint, values, current);
    var server = box.querySelector('p.error:not(.js-constraint)');
    /* The server already says so next to the field: one message is enough (and hiding it
       would move the page under the respondent's pointer). */
    if (server && server.textContent.indexOf(message) >= 0) failed = false;
    live.textContent = failed ? message : '';
    live.hidden = !failed;
  }

  form.addEventListener('input', refresh);
  form.addEventListener('change', function (event) {
    var values = refresh();
    var box = event.target.closest ? event.target.closest('.question') : null;
    if (box) checkConstraint(box, values);
  });
  refresh();

  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
})();
