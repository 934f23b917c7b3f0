// Runs tests/surveys/expression_cases.json against surveys/static/surveys/expressions.js.
// Prints "ok N cases" and exits 0, or prints one line per mismatch and exits 1.
// Used by tests/surveys/test_expressions.py; also runnable by hand: node tests/surveys/run_js_cases.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import vm from 'node:vm';

const here = path.dirname(fileURLToPath(import.meta.url));
const scriptPath = path.join(here, '..', '..', 'surveys', 'static', 'surveys', 'expressions.js');
const casesPath = path.join(here, 'expression_cases.json');

const require = createRequire(import.meta.url);
const SurveyExpressions = require(scriptPath);

function decodeExpected(expected) {
  if (expected !== null && typeof expected === 'object') return Number(expected.number);
  return expected;
}

function sameValue(actual, expected) {
  if (typeof actual !== typeof expected) return false;
  if (typeof expected === 'number' && Number.isNaN(expected)) return Number.isNaN(actual);
  return actual === expected;
}

function runCase(testCase) {
  const options = {};
  if (testCase.known_names) options.knownNames = testCase.known_names;
  if (testCase.today) options.today = testCase.today;
  try {
    const value = SurveyExpressions.evaluate(testCase.expr, testCase.values, testCase.current, options);
    return { value };
  } catch (error) {
    if (error instanceof SurveyExpressions.ExpressionError) return { error: error.code };
    return { crash: String(error && error.stack || error) };
  }
}

function mismatch(testCase) {
  const outcome = runCase(testCase);
  if (outcome.crash) return `crashed: ${outcome.crash}`;
  if ('error' in testCase) {
    return outcome.error === testCase.error ? null : `expected error ${testCase.error}, got ${JSON.stringify(outcome)}`;
  }
  const expected = decodeExpected(testCase.expected);
  if ('error' in outcome) return `expected ${JSON.stringify(testCase.expected)}, got error ${outcome.error}`;
  return sameValue(outcome.value, expected) ? null : `expected ${JSON.stringify(testCase.expected)} (${typeof expected}), got ${String(outcome.value)} (${typeof outcome.value})`;
}

function checkBrowserGlobal() {
  const sandbox = { window: {} };
  vm.runInNewContext(readFileSync(scriptPath, 'utf8'), sandbox);
  const api = sandbox.window.SurveyExpressions;
  if (!api || typeof api.evaluate !== 'function' || typeof api.isTrue !== 'function' || typeof api.references !== 'function') {
    return 'window.SurveyExpressions is missing evaluate, isTrue or references';
  }
  if (api.isTrue('${a} > 1', { a: '2' }) !== true || api.isTrue('', {}) !== true) return 'window.SurveyExpressions.isTrue is wrong';
  return null;
}

const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const failures = [];
cases.forEach((testCase, index) => {
  const problem = mismatch(testCase);
  if (problem) failures.push(`#${index} ${JSON.stringify(testCase.expr).slice(0, 120)}: ${problem}`);
});
const globalProblem = checkBrowserGlobal();
if (globalProblem) failures.push(globalProblem);

if (failures.length) {
  console.log(failures.join('\n'));
  process.exit(1);
}
console.log(`ok ${cases.length} cases`);
