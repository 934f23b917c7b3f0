/*
 * Survey logic expressions (the XLSForm subset) for instant feedback in the browser.
 *
 * The same grammar and semantics as surveys/expressions.py, which stays the authority: the
 * server re-checks every answer.  No eval, no Function constructor: a tokenizer, a parser and a
 * tree walker.  regex() uses its own NFA engine (no backtracking), identical to the Python one.
 * tests/surveys/expression_cases.json is run against both implementations.
 *
 * window.SurveyExpressions = {evaluate, isTrue, references, check, ExpressionError}
 *   evaluate(expression, values, current, options) -> string | number | boolean
 *   options: {knownNames: array or Set of names, today: 'YYYY-MM-DD' or Date}
 */
(function (root) {
  'use strict';

  var MAX_LENGTH = 2000;
  var MAX_DEPTH = 50;
  var MAX_NODES = 500;
  var MAX_PATTERN_LENGTH = 200;
  var MAX_PATTERN_SIZE = 500;
  var MAX_PATTERN_NESTING = 20;
  var MAX_REPEAT = 100;
  var MAX_SUBJECT_LENGTH = 10000;
  var MAX_REGEX_STEPS = 500000;

  var FUNCTION_ARITY = {
    'selected': [2, 2], 'count-selected': [1, 1], 'string-length': [1, 1], 'regex': [2, 2],
    'number': [1, 1], 'int': [1, 1], 'round': [1, 2], 'if': [3, 3], 'coalesce': [2, 2],
    'contains': [2, 2], 'starts-with': [2, 2], 'today': [0, 0], 'true': [0, 0],
    'false': [0, 0], 'not': [1, 1]
  };
  var PRECEDENCE = {
    'or': 1, 'and': 2, '=': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4,
    '+': 5, '-': 5, '*': 6, 'div': 6, 'mod': 6
  };
  var WORD_OPERATORS = {'and': true, 'or': true, 'div': true, 'mod': true};

  function ExpressionError(code, detail, position) {
    this.name = 'ExpressionError';
    this.code = code;
    this.detail = detail;
    this.position = position === undefined ? null : position;
    this.message = code + ': ' + detail + (this.position === null ? '' : ' (at character ' + this.position + ')');
    this.stack = new Error(this.message).stack;
  }
  ExpressionError.prototype = Object.create(Error.prototype);
  ExpressionError.prototype.constructor = ExpressionError;

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  // --- tokens ---------------------------------------------------------------------------

  var TOKEN_PATTERN = new RegExp(
    '([ \\t\\r\\n]+)' +
    '|(\\$\\{[A-Za-z_][A-Za-z0-9_.-]*\\})' +
    '|([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)' +
    '|(\'[^\']*\'|"[^"]*")' +
    '|(!=|<=|>=|[=<>+*(),-])' +
    '|(\\.)' +
    '|([A-Za-z_][A-Za-z0-9_.-]*)', 'y');
  var TOKEN_KINDS = [null, 'space', 'ref', 'number', 'string', 'op', 'current', 'name'];

  function tokenize(expression) {
    var tokens = [];
    var position = 0;
    while (position < expression.length) {
      TOKEN_PATTERN.lastIndex = position;
      var match = TOKEN_PATTERN.exec(expression);
      if (match === null) {
        var ch = expression.charAt(position);
        var detail = (ch === '\'' || ch === '"') ? 'unterminated string' : 'unexpected character ' + JSON.stringify(ch);
        throw new ExpressionError('syntax', detail, position);
      }
      var kind = null;
      for (var group = 1; group < TOKEN_KINDS.length; group++) {
        if (match[group] !== undefined) { kind = TOKEN_KINDS[group]; break; }
      }
      var text = match[0];
      if (kind === 'name' && has(WORD_OPERATORS, text)) kind = 'op';
      if (kind !== 'space') tokens.push({kind: kind, value: tokenValue(kind, text), position: position});
      position += text.length;
    }
    tokens.push({kind: 'end', value: null, position: expression.length});
    return tokens;
  }

  function tokenValue(kind, text) {
    if (kind === 'number') return parseFloat(text);
    if (kind === 'string') return text.slice(1, -1);
    if (kind === 'ref') return text.slice(2, -1);
    return text;
  }

  function describe(token) {
    return token.kind === 'end' ? 'end of expression' : JSON.stringify(String(token.value));
  }

  // --- parser ---------------------------------------------------------------------------

  function Parser(expression) {
    this.tokens = tokenize(expression);
    this.index = 0;
    this.nesting = 0;
    this.nodeCount = 0;
  }

  Parser.prototype.parse = function () {
    var node = this.expression(1);
    var token = this.tokens[this.index];
    if (token.kind !== 'end') throw new ExpressionError('syntax', 'unexpected ' + describe(token), token.position);
    return node;
  };

  Parser.prototype.at = function (value) {
    var token = this.tokens[this.index];
    return token.kind === 'op' && token.value === value;
  };

  Parser.prototype.expect = function (value) {
    var token = this.tokens[this.index];
    if (!this.at(value)) {
      throw new ExpressionError('syntax', 'expected ' + JSON.stringify(value) + ', found ' + describe(token), token.position);
    }
    this.index += 1;
  };

  Parser.prototype.enter = function (token) {
    this.nesting += 1;
    if (this.nesting > MAX_DEPTH) throw new ExpressionError('too_complex', 'expression is nested too deeply', token.position);
  };

  Parser.prototype.make = function (kind, value, children, position) {
    var depth = 1;
    for (var i = 0; i < children.length; i++) depth = Math.max(depth, children[i].depth + 1);
    this.nodeCount += 1;
    if (depth > MAX_DEPTH) throw new ExpressionError('too_complex', 'expression is nested too deeply', position);
    if (this.nodeCount > MAX_NODES) throw new ExpressionError('too_complex', 'expression has too many parts', position);
    return {kind: kind, value: value, children: children, position: position, depth: depth};
  };

  Parser.prototype.expression = function (minPrecedence) {
    var left = this.unary();
    for (;;) {
      var token = this.tokens[this.index];
      var precedence = token.kind === 'op' && has(PRECEDENCE, token.value) ? PRECEDENCE[token.value] : null;
      if (precedence === null || precedence < minPrecedence) return left;
      this.index += 1;
      var right = this.expression(precedence + 1);
      left = this.combine(token, left, right);
    }
  };

  Parser.prototype.combine = function (token, left, right) {
    if (token.value !== 'and' && token.value !== 'or') {
      return this.make('binary', token.value, [left, right], token.position);
    }
    if (left.kind === 'logical' && left.value === token.value) {
      this.nodeCount -= 1;
      return this.make('logical', token.value, left.children.concat([right]), left.position);
    }
    return this.make('logical', token.value, [left, right], left.position);
  };

  Parser.prototype.unary = function () {
    var token = this.tokens[this.index];
    if (!this.at('-')) return this.primary();
    this.index += 1;
    this.enter(token);
    var operand = this.unary();
    this.nesting -= 1;
    return this.make('negate', '-', [operand], token.position);
  };

  Parser.prototype.primary = function () {
    var token = this.tokens[this.index];
    this.index += 1;
    if (token.kind === 'number' || token.kind === 'string') return this.make('literal', token.value, [], token.position);
    if (token.kind === 'ref') return this.make('reference', token.value, [], token.position);
    if (token.kind === 'current') return this.make('current', null, [], token.position);
    if (token.kind === 'name') return this.call(token);
    if (token.kind === 'op' && token.value === '(') {
      this.enter(token);
      var inner = this.expression(1);
      this.nesting -= 1;
      this.expect(')');
      return inner;
    }
    throw new ExpressionError('syntax', 'unexpected ' + describe(token), token.position);
  };

  Parser.prototype.call = function (token) {
    var name = token.value;
    if (!this.at('(')) {
      throw new ExpressionError('syntax', JSON.stringify(name) + ' is not allowed here; refer to answers as ${name}', token.position);
    }
    if (!has(FUNCTION_ARITY, name)) throw new ExpressionError('unknown_function', 'unknown function ' + name + '()', token.position);
    this.index += 1;
    this.enter(token);
    var args = [];
    if (!this.at(')')) {
      args.push(this.expression(1));
      while (this.at(',')) {
        this.index += 1;
        args.push(this.expression(1));
      }
    }
    this.nesting -= 1;
    this.expect(')');
    var arity = FUNCTION_ARITY[name];
    if (args.length < arity[0] || args.length > arity[1]) {
      var wanted = arity[0] === arity[1] ? String(arity[0]) : arity[0] + ' to ' + arity[1];
      throw new ExpressionError('type', name + '() takes ' + wanted + ' arguments, not ' + args.length, token.position);
    }
    return this.make('call', name, args, token.position);
  };

  var parseCache = new Map();

  function parse(expression) {
    if (typeof expression !== 'string') throw new ExpressionError('type', 'an expression must be text');
    if (parseCache.has(expression)) return parseCache.get(expression);
    if (expression.length > MAX_LENGTH) {
      throw new ExpressionError('too_complex', 'expression is longer than ' + MAX_LENGTH + ' characters');
    }
    if (/^[ \t\r\n]*$/.test(expression)) throw new ExpressionError('syntax', 'empty expression', 0);
    var node = new Parser(expression).parse();
    if (parseCache.size >= 1024) parseCache.clear();
    parseCache.set(expression, node);
    return node;
  }

  function walk(node, visit) {
    var stack = [node];
    while (stack.length) {
      var item = stack.pop();
      visit(item);
      for (var i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i]);
    }
  }

  function references(expression) {
    var names = {};
    walk(parse(expression), function (node) {
      if (node.kind === 'reference') names[node.value] = true;
    });
    return Object.keys(names).sort();
  }

  function toNameSet(names) {
    if (names === undefined || names === null) return null;
    return names instanceof Set ? names : new Set(names);
  }

  function check(expression, knownNames) {
    var known = toNameSet(knownNames) || new Set();
    walk(parse(expression), function (node) {
      if (node.kind === 'reference' && !known.has(node.value)) {
        throw new ExpressionError('unknown_reference', 'no question named ' + JSON.stringify(node.value), node.position);
      }
      if (node.kind === 'call' && node.value === 'regex' && node.children[1].kind === 'literal') {
        compilePattern(toText(node.children[1].value));
      }
    });
  }

  function evaluate(expression, values, current, options) {
    var node = parse(expression);
    return new Evaluation(values, current, options || {}).run(node);
  }

  function isTrue(expression, values, current, options) {
    if (expression === undefined || expression === null || /^[ \t\r\n]*$/.test(expression)) return true;
    return toBool(evaluate(expression, values, current, options));
  }

  // --- values and coercion --------------------------------------------------------------

  var NUMBER_TEXT = /^[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*$/;
  var DATE_TEXT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$/;

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) text = '0' + text;
    return text;
  }

  function isoDate(value) {
    return pad(value.getFullYear(), 4) + '-' + pad(value.getMonth() + 1, 2) + '-' + pad(value.getDate(), 2);
  }

  function answerValue(value) {
    if (Array.isArray(value)) {
      var items = [];
      for (var i = 0; i < value.length; i++) {
        var item = toText(scalarValue(value[i]));
        if (item) items.push(item);
      }
      return items.join(' ');
    }
    return scalarValue(value);
  }

  function scalarValue(value) {
    if (value === null || value === undefined) return '';
    var type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean') return value;
    if (value instanceof Date) return isoDate(value);
    throw new ExpressionError('type', 'an answer cannot be a ' + type);
  }

  function toNumber(value) {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'number') return value;
    var match = NUMBER_TEXT.exec(value);
    return match ? parseFloat(match[1]) : NaN;
  }

  function toBool(value) {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return !(value === 0 || isNaN(value));
    return value.length > 0;
  }

  function toText(value) {
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') return numberToText(value);
    return value;
  }

  function repeatText(text, count) {
    var out = '';
    for (var i = 0; i < count; i++) out += text;
    return out;
  }

  function numberToText(number) {
    if (isNaN(number)) return 'NaN';
    if (!isFinite(number)) return number > 0 ? 'Infinity' : '-Infinity';
    if (number === 0) return '0';
    var parts = decimalDigits(Math.abs(number));
    var digits = parts[0];
    var point = parts[1];
    var text;
    if (point <= 0) text = '0.' + repeatText('0', -point) + digits;
    else if (point >= digits.length) text = digits + repeatText('0', point - digits.length);
    else text = digits.slice(0, point) + '.' + digits.slice(point);
    return number < 0 ? '-' + text : text;
  }

  // [digits, point] with number == 0.DIGITS * 10**point, from the shortest round-trip text.
  function decimalDigits(number) {
    var text = String(number);
    var e = text.indexOf('e');
    var mantissa = e < 0 ? text : text.slice(0, e);
    var exponent = e < 0 ? 0 : parseInt(text.slice(e + 1), 10);
    var dot = mantissa.indexOf('.');
    var whole = dot < 0 ? mantissa : mantissa.slice(0, dot);
    var fraction = dot < 0 ? '' : mantissa.slice(dot + 1);
    var all = whole + fraction;
    var digits = all.replace(/^0+/, '');
    var point = whole.length + exponent - (all.length - digits.length);
    return [digits.replace(/0+$/, ''), point];
  }

  function choices(value) {
    return toText(value).split(/[ \t\r\n]+/).filter(function (item) { return item !== ''; });
  }

  // --- operators and functions ----------------------------------------------------------

  function equals(left, right) {
    if (typeof left === 'boolean' || typeof right === 'boolean') return toBool(left) === toBool(right);
    if (typeof left === 'number' || typeof right === 'number') return toNumber(left) === toNumber(right);
    return left === right;
  }

  function relation(operator, a, b) {
    if (operator === '<') return a < b;
    if (operator === '<=') return a <= b;
    if (operator === '>') return a > b;
    return a >= b;
  }

  function codePointCompare(a, b) {
    var left = Array.from(a);
    var right = Array.from(b);
    for (var i = 0; i < Math.min(left.length, right.length); i++) {
      var difference = left[i].codePointAt(0) - right[i].codePointAt(0);
      if (difference !== 0) return difference;
    }
    return left.length - right.length;
  }

  function compare(operator, left, right) {
    if (typeof left === 'string' && typeof right === 'string' && DATE_TEXT.test(left) && DATE_TEXT.test(right)) {
      return relation(operator, codePointCompare(left, right), 0);
    }
    return relation(operator, toNumber(left), toNumber(right));
  }

  function arithmetic(operator, a, b) {
    if (operator === '+') return a + b;
    if (operator === '-') return a - b;
    if (operator === '*') return a * b;
    if (operator === 'div') return a / b;
    return a % b;  // 'mod': the sign of a, NaN for x mod 0, as XPath
  }

  function binary(operator, left, right) {
    if (operator === '=') return equals(left, right);
    if (operator === '!=') return !equals(left, right);
    if (operator === '<' || operator === '<=' || operator === '>' || operator === '>=') {
      return compare(operator, left, right);
    }
    return arithmetic(operator, toNumber(left), toNumber(right));
  }

  function truncate(value) {
    var number = toNumber(value);
    return isFinite(number) ? Math.trunc(number) : number;
  }

  function incrementDigits(digits) {
    var out = digits.split('');
    for (var i = out.length - 1; i >= 0; i--) {
      if (out[i] !== '9') {
        out[i] = String.fromCharCode(out[i].charCodeAt(0) + 1);
        return out.join('');
      }
      out[i] = '0';
    }
    return '1' + out.join('');
  }

  // round(x, n): n decimal places, halves away from zero, on the shortest decimal text of x.
  function round(value, places) {
    var number = toNumber(value);
    var n = places === undefined ? 0 : toNumber(places);
    if (isNaN(number) || isNaN(n)) return NaN;
    if (!isFinite(number) || number === 0 || n > 400) return number;
    n = Math.trunc(Math.max(n, -400));
    var parts = decimalDigits(Math.abs(number));
    var digits = parts[0];
    var keep = parts[1] + n;
    var sign = number < 0 ? -1 : 1;
    if (keep < 0) return sign * 0;
    if (keep >= digits.length) return number;
    var kept = (digits.slice(0, keep) || '0').replace(/^0+(?=.)/, '');
    if (digits.charAt(keep) >= '5') kept = incrementDigits(kept);
    return sign * parseFloat(kept + 'e' + (-n));
  }

  var FUNCTIONS = {
    'selected': function (answer, choice) {
      return choices(answer).indexOf(toText(choice).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')) >= 0;
    },
    'count-selected': function (answer) { return choices(answer).length; },
    'string-length': function (text) { return Array.from(toText(text)).length; },
    'number': toNumber,
    'int': truncate,
    'round': round,
    'contains': function (text, part) { return toText(text).indexOf(toText(part)) >= 0; },
    'starts-with': function (text, start) { return toText(text).indexOf(toText(start)) === 0; },
    'true': function () { return true; },
    'false': function () { return false; },
    'not': function (value) { return !toBool(value); }
  };

  function Evaluation(values, current, options) {
    this.values = values || {};
    this.current = answerValue(current);
    this.knownNames = toNameSet(options.knownNames);
    this.today = options.today;
    this.regexSteps = 0;
  }

  Evaluation.prototype.run = function (node) {
    switch (node.kind) {
      case 'literal': return node.value;
      case 'reference': return this.reference(node);
      case 'current': return this.current;
      case 'negate': return -toNumber(this.run(node.children[0]));
      case 'binary': return binary(node.value, this.run(node.children[0]), this.run(node.children[1]));
      case 'logical': return this.logical(node);
      default: return this.call(node);
    }
  };

  Evaluation.prototype.reference = function (node) {
    if (this.knownNames !== null && !this.knownNames.has(node.value)) {
      throw new ExpressionError('unknown_reference', 'no question named ' + JSON.stringify(node.value), node.position);
    }
    return answerValue(has(this.values, node.value) ? this.values[node.value] : null);
  };

  Evaluation.prototype.logical = function (node) {
    var wanted = node.value === 'or';
    for (var i = 0; i < node.children.length; i++) {
      if (toBool(this.run(node.children[i])) === wanted) return wanted;
    }
    return !wanted;
  };

  Evaluation.prototype.todayText = function () {
    var today = this.today;
    if (today instanceof Date) return isoDate(today);
    if (typeof today === 'string' && today) return today.slice(0, 10);
    return isoDate(new Date());
  };

  Evaluation.prototype.call = function (node) {
    var name = node.value;
    var args = node.children;
    if (name === 'if') return this.run(toBool(this.run(args[0])) ? args[1] : args[2]);
    if (name === 'coalesce') {
      var first = this.run(args[0]);
      return toText(first) !== '' ? first : this.run(args[1]);
    }
    if (name === 'today') return this.todayText();
    var values = [];
    for (var i = 0; i < args.length; i++) values.push(this.run(args[i]));
    if (name === 'regex') return this.regex(values[0], values[1]);
    return FUNCTIONS[name].apply(null, values);
  };

  Evaluation.prototype.regex = function (subject, pattern) {
    var text = Array.from(toText(subject));
    if (text.length > MAX_SUBJECT_LENGTH) {
      throw new ExpressionError('too_complex', 'regex() reads at most ' + MAX_SUBJECT_LENGTH + ' characters');
    }
    var program = compilePattern(toText(pattern));
    var result = search(program, text, MAX_REGEX_STEPS - this.regexSteps);
    this.regexSteps += result[1];
    return result[0];
  };

  // --- regex engine (see the supported syntax in surveys/expressions.py) ----------------
  // A class is [negated, [[low, high], ...] code point ranges, named classes like 'd' or 'W'].

  function isDigit(ch) { return ch >= '0' && ch <= '9'; }
  function isWord(ch) { return /^[A-Za-z0-9_]$/.test(ch); }
  function isSpace(ch) { return ' \t\n\r\f\v'.indexOf(ch) >= 0 && ch.length === 1; }
  var NAMED_CLASSES = {
    'd': isDigit, 'w': isWord, 's': isSpace,
    'D': function (ch) { return !isDigit(ch); },
    'W': function (ch) { return !isWord(ch); },
    'S': function (ch) { return !isSpace(ch); }
  };
  var CONTROL_ESCAPES = {'t': '\t', 'n': '\n', 'r': '\r', 'f': '\f', 'v': '\v'};
  var ANY_CHARACTER = [true, [[10, 10], [13, 13]], []];

  function single(ch) {
    var code = ch.codePointAt(0);
    return [false, [[code, code]], []];
  }

  function classMatches(charClass, ch) {
    var code = ch.codePointAt(0);
    var hit = false;
    var ranges = charClass[1];
    var named = charClass[2];
    for (var i = 0; i < ranges.length && !hit; i++) hit = ranges[i][0] <= code && code <= ranges[i][1];
    for (var j = 0; j < named.length && !hit; j++) hit = NAMED_CLASSES[named[j]](ch);
    return hit !== charClass[0];
  }

  function PatternParser(pattern) {
    this.pattern = pattern;
    this.chars = Array.from(pattern);
    this.index = 0;
    this.nesting = 0;
  }

  PatternParser.prototype.fail = function (detail) {
    throw new ExpressionError('bad_regex', detail + ' in pattern ' + JSON.stringify(this.pattern));
  };

  PatternParser.prototype.peek = function (ahead) {
    var index = this.index + (ahead || 0);
    return index < this.chars.length ? this.chars[index] : null;
  };

  PatternParser.prototype.next = function () {
    var ch = this.peek();
    this.index += 1;
    return ch;
  };

  PatternParser.prototype.parse = function () {
    var tree = this.alternation();
    if (this.index < this.chars.length) this.fail("unbalanced ')'");
    return tree;
  };

  PatternParser.prototype.alternation = function () {
    var branches = [this.sequence()];
    while (this.peek() === '|') {
      this.index += 1;
      branches.push(this.sequence());
    }
    return branches.length > 1 ? ['alt', branches] : branches[0];
  };

  PatternParser.prototype.sequence = function () {
    var items = [];
    while (this.peek() !== null && this.peek() !== '|' && this.peek() !== ')') items.push(this.quantified());
    return ['cat', items];
  };

  PatternParser.prototype.quantified = function () {
    var atom = this.atom();
    var bounds = this.quantifier();
    if (bounds === null) return atom;
    if (atom[0] === 'bol' || atom[0] === 'eol') this.fail('nothing to repeat');
    if (this.peek() === '?') this.index += 1;  // lazy: the same yes/no answer as greedy
    if (this.peek() !== null && '*+?{'.indexOf(this.peek()) >= 0) this.fail('repeated quantifier');
    return ['repeat', atom, bounds[0], bounds[1]];
  };

  PatternParser.prototype.quantifier = function () {
    var ch = this.peek();
    if (ch === '*') { this.index += 1; return [0, null]; }
    if (ch === '+') { this.index += 1; return [1, null]; }
    if (ch === '?') { this.index += 1; return [0, 1]; }
    if (ch !== '{') return null;
    var match = /^\{([0-9]{1,3})(,([0-9]{0,3}))?\}/.exec(this.chars.slice(this.index).join(''));
    if (match === null) this.fail('bad {n,m} quantifier (write \\{ for a brace)');
    this.index += match[0].length;
    var low = parseInt(match[1], 10);
    var high = match[2] === undefined ? low : (match[3] ? parseInt(match[3], 10) : null);
    if (low > MAX_REPEAT || (high !== null && (high > MAX_REPEAT || high < low))) {
      this.fail('bad {n,m} quantifier (at most ' + MAX_REPEAT + ')');
    }
    return [low, high];
  };

  PatternParser.prototype.atom = function () {
    var ch = this.next();
    if (ch === '(') return this.group();
    if (ch === '[') return ['set', this.charClass()];
    if (ch === '\\') return ['set', this.escape()];
    if ('*+?{'.indexOf(ch) >= 0) this.fail('nothing to repeat');
    if (ch === '.') return ['set', ANY_CHARACTER];
    if (ch === '^') return ['bol'];
    if (ch === '$') return ['eol'];
    return ['set', single(ch)];
  };

  PatternParser.prototype.group = function () {
    if (this.peek() === '?' && this.peek(1) === ':') this.index += 2;
    else if (this.peek() === '?') this.fail('unsupported group');
    this.nesting += 1;
    if (this.nesting > MAX_PATTERN_NESTING) this.fail('groups nested too deeply');
    var inner = this.alternation();
    this.nesting -= 1;
    if (this.next() !== ')') this.fail("missing ')'");
    return inner;
  };

  PatternParser.prototype.escape = function () {
    var ch = this.next();
    if (ch === null) this.fail("pattern ends with '\\'");
    if ('dDwWsS'.indexOf(ch) >= 0) return [false, [], [ch]];
    if (has(CONTROL_ESCAPES, ch)) return single(CONTROL_ESCAPES[ch]);
    if (ch === 'u') {
      var code = this.chars.slice(this.index, this.index + 4).join('');
      if (!/^[0-9A-Fa-f]{4}$/.test(code)) this.fail('bad \\u escape');
      this.index += 4;
      return single(String.fromCharCode(parseInt(code, 16)));
    }
    if (ch.codePointAt(0) > 127 || /^[A-Za-z0-9]$/.test(ch)) this.fail('unsupported escape \\' + ch);
    return single(ch);
  };

  PatternParser.prototype.charClass = function () {
    var negated = this.peek() === '^';
    if (negated) this.index += 1;
    var ranges = [];
    var named = [];
    var first = true;
    for (;;) {
      var ch = this.next();
      if (ch === null) this.fail("missing ']'");
      if (ch === ']' && !first) return [negated, ranges, named];
      first = false;
      var item = ch === '\\' ? this.escape() : single(ch);
      if (item[2].length) {
        named.push.apply(named, item[2]);
        continue;
      }
      var low = item[1][0][0];
      if (this.peek() === '-' && this.peek(1) !== null && this.peek(1) !== ']') {
        this.index += 1;
        var high = this.classRangeEnd();
        if (high < low) this.fail('bad character range');
        ranges.push([low, high]);
      } else {
        ranges.push([low, low]);
      }
    }
  };

  PatternParser.prototype.classRangeEnd = function () {
    var ch = this.next();
    var item = ch === '\\' ? this.escape() : single(ch);
    if (item[2].length) this.fail('bad character range');
    return item[1][0][0];
  };

  function append(program, instruction) {
    if (program.length >= MAX_PATTERN_SIZE) {
      throw new ExpressionError('bad_regex', 'pattern is too large once its repeats are expanded');
    }
    program.push(instruction);
    return instruction;
  }

  function emit(tree, program) {
    var kind = tree[0];
    var i;
    if (kind === 'cat') {
      for (i = 0; i < tree[1].length; i++) emit(tree[1][i], program);
    } else if (kind === 'alt') {
      var branches = tree[1];
      var jumps = [];
      for (i = 0; i < branches.length - 1; i++) {
        var split = append(program, ['split', program.length + 1, null]);
        emit(branches[i], program);
        jumps.push(append(program, ['jmp', null]));
        split[2] = program.length;
      }
      emit(branches[branches.length - 1], program);
      for (i = 0; i < jumps.length; i++) jumps[i][1] = program.length;
    } else if (kind === 'repeat') {
      emitRepeat(tree, program);
    } else {
      append(program, tree.slice());
    }
  }

  function emitRepeat(tree, program) {
    var item = tree[1];
    var low = tree[2];
    var high = tree[3];
    var i;
    for (i = 0; i < low; i++) emit(item, program);
    if (high === null) {
      var start = program.length;
      var loop = append(program, ['split', start + 1, null]);
      emit(item, program);
      append(program, ['jmp', start]);
      loop[2] = program.length;
      return;
    }
    var splits = [];
    for (i = 0; i < high - low; i++) {
      splits.push(append(program, ['split', program.length + 1, null]));
      emit(item, program);
    }
    for (i = 0; i < splits.length; i++) splits[i][2] = program.length;
  }

  var patternCache = new Map();

  function compilePattern(pattern) {
    if (patternCache.has(pattern)) return patternCache.get(pattern);
    if (Array.from(pattern).length > MAX_PATTERN_LENGTH) {
      throw new ExpressionError('bad_regex', 'pattern is longer than ' + MAX_PATTERN_LENGTH + ' characters');
    }
    var program = [];
    emit(new PatternParser(pattern).parse(), program);
    program.push(['match']);
    if (patternCache.size >= 256) patternCache.clear();
    patternCache.set(pattern, program);
    return program;
  }

  // Pike VM without captures: all threads advance together, each instruction at most once
  // per position, so the cost is at most len(text) * len(program). Returns [matched, steps].
  function search(program, text, budget) {
    var marks = [];
    for (var m = 0; m < program.length; m++) marks.push(-1);
    var anchored = program[0][0] === 'bol';
    var spent = 0;

    function follow(start, position, threads) {
      var stack = [start];
      while (stack.length) {
        var pc = stack.pop();
        if (marks[pc] === position) continue;
        marks[pc] = position;
        spent += 1;
        var op = program[pc];
        if (op[0] === 'set') threads.push(pc);
        else if (op[0] === 'match') return true;
        else if (op[0] === 'jmp') stack.push(op[1]);
        else if (op[0] === 'split') stack.push(op[2], op[1]);
        else if ((op[0] === 'bol' && position === 0) || (op[0] === 'eol' && position === text.length)) stack.push(pc + 1);
      }
      return false;
    }

    var threads = [];
    if (follow(0, 0, threads)) return [true, spent];
    for (var index = 0; index < text.length; index++) {
      var following = [];
      for (var t = 0; t < threads.length; t++) {
        var pc = threads[t];
        if (classMatches(program[pc][1], text[index]) && follow(pc + 1, index + 1, following)) return [true, spent];
      }
      if (!anchored && follow(0, index + 1, following)) return [true, spent];
      spent += threads.length;
      if (spent > budget) throw new ExpressionError('too_complex', 'regex() needs too many steps');
      if (anchored && !following.length) return [false, spent];
      threads = following;
    }
    return [false, spent];
  }

  var api = {
    evaluate: evaluate,
    isTrue: isTrue,
    references: references,
    check: check,
    ExpressionError: ExpressionError
  };
  if (root) root.SurveyExpressions = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof window !== 'undefined' ? window : null);
