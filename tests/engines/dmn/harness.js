// node harness.js MODEL.dmn TRANSFERS.jsonl (tests/engines/dmn; see docs/dmn.md): decides each transfer with the DMN model and prints
// one decision per line in `accord eval`'s layout. dmn-moddle reads the model, feelin evaluates
// every FEEL expression and unary test; this file implements only the hit policies (FIRST,
// COLLECT) and the order in which decisions are evaluated.
'use strict';
const fs = require('fs');
const readline = require('readline');
const { DmnModdle } = require('dmn-moddle');
const { evaluate, unaryTest } = require('feelin');

function fail(message) {
  process.stderr.write(message + '\n');
  process.exit(1);
}

function feel(text, context, what) {
  const result = evaluate(text, context);
  const problems = (result.warnings || []).filter((w) => w.type !== 'NO_VARIABLE_FOUND');
  if (problems.length) fail(`${what}: ${text}: ${problems.map((w) => w.message).join('; ')}`);
  return result.value;
}

// Each test's result for each value, kept: feelin parses a test anew on every call, and a
// table's tests meet the same values again and again. (FEEL tests are pure.)
const results = new Map();

function test(text, value, what) {
  const kind = value !== null && typeof value === 'object' && !Array.isArray(value) ? value.constructor.name : typeof value;
  const key = text + '\u0000' + kind + '\u0000' + JSON.stringify(value);
  let known = results.get(key);
  if (known === undefined) {
    known = uncached(text, value, what);
    if (results.size > 2000000) results.clear();
    results.set(key, known);
  }
  return known;
}

function uncached(text, value, what) {
  const result = unaryTest(text, { '?': value });
  const problems = (result.warnings || []);
  if (problems.length) fail(`${what}: ${text}: ${problems.map((w) => w.message).join('; ')}`);
  return result.value === true;
}

/** The decisions in an order where each comes after those it requires. */
function ordered(decisions) {
  const byId = new Map(decisions.map((d) => [d.id, d]));
  const done = new Set();
  const out = [];
  const visit = (d, path) => {
    if (done.has(d.id)) return;
    if (path.has(d.id)) fail(`decision ${d.id} requires itself`);
    path.add(d.id);
    for (const r of d.informationRequirement || []) {
      if (r.requiredDecision) {
        const id = r.requiredDecision.href.replace(/^#/, '');
        const required = byId.get(id);
        if (!required) fail(`decision ${d.id} requires unknown ${id}`);
        visit(required, path);
      }
    }
    done.add(d.id);
    out.push(d);
  };
  for (const d of decisions) visit(d, new Set());
  return out;
}

function decideTable(table, context, name) {
  const inputs = table.input.map((i, n) => feel(i.inputExpression.text, context, `${name} input ${n}`));
  const outputs = (rule) => {
    const values = rule.outputEntry.map((e, n) => (e.text === '' ? null : feel(e.text, context, `${name} ${rule.id} output ${n}`)));
    if (table.output.length === 1 && !table.output[0].name) return values[0];
    return Object.fromEntries(table.output.map((o, n) => [o.name, values[n]]));
  };
  const matches = (rule) => rule.inputEntry.every((e, n) => test(e.text, inputs[n], `${name} ${rule.id} input ${n}`));
  const policy = table.hitPolicy || 'UNIQUE';
  if (policy === 'FIRST') {
    const rule = (table.rule || []).find(matches);
    return rule ? outputs(rule) : null;
  }
  if (policy === 'COLLECT' && !table.aggregation) return (table.rule || []).filter(matches).map(outputs);
  fail(`${name}: hit policy ${policy} is not implemented here`);
}

async function main() {
  const [model, transfers] = process.argv.slice(2);
  if (!model || !transfers) fail('usage: node harness.js MODEL.dmn TRANSFERS.jsonl');
  const { rootElement: definitions, warnings } = await new DmnModdle().fromXML(fs.readFileSync(model, 'utf8'));
  if (warnings.length) fail(`reading ${model}: ${warnings.map((w) => w.message).join('; ')}`);
  const elements = definitions.drgElement || [];
  const inputs = elements.filter((e) => e.$type === 'dmn:InputData');
  const decisions = ordered(elements.filter((e) => e.$type === 'dmn:Decision'));
  const dates = new Set(inputs.filter((i) => i.variable && i.variable.typeRef === 'date').map((i) => i.name));
  const lines = readline.createInterface({ input: fs.createReadStream(transfers), crlfDelay: Infinity });
  const out = [];
  for await (const line of lines) {
    if (!line.trim()) continue;
    const given = JSON.parse(line);
    const context = {};
    for (const i of inputs) {
      const v = given[i.name];
      // A date is given as `YYYY-MM-DD`: FEEL reads it with `date()`.
      context[i.name] = v === undefined ? null : dates.has(i.name) ? feel('date(x)', { x: v }, i.name) : v;
    }
    for (const d of decisions) {
      const logic = d.decisionLogic;
      if (logic.$type === 'dmn:DecisionTable') context[d.name] = decideTable(logic, context, d.name);
      else if (logic.$type === 'dmn:LiteralExpression') context[d.name] = feel(logic.text, context, d.name);
      else fail(`${d.name}: ${logic.$type} is not implemented here`);
    }
    const t = context.decision;
    const decision = { regime: context.regime, verdict: t.verdict, require: t.require };
    if (t.ordered.length) decision.ordered = t.ordered;
    decision.obligations = context.obligations;
    const chosen = Object.fromEntries(Object.entries(context.if_chosen).filter(([, o]) => o.length));
    if (Object.keys(chosen).length) decision.if_chosen = chosen;
    decision.rule = t.rule;
    decision.cite = t.cite;
    if (t.satisfied !== null) decision.satisfied = t.satisfied;
    if (t.met_by !== null) {
      const { mechanisms, require, ordered: o, through } = t.met_by;
      decision.met_by = o && o.length ? { mechanisms, require, ordered: o, through } : { mechanisms, require, through };
    }
    out.push(JSON.stringify(decision));
    if (out.length >= 1000) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
}

main().catch((e) => fail(e.stack || String(e)));
