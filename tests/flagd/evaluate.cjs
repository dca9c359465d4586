// Evaluates flags with the npm `@openfeature/flagd-core` engine.
// Usage: node evaluate.cjs FLAGS_FILE < requests.json
// requests.json: [{"flag": KEY, "type": "boolean"|"string"|"number"|"object",
//                  "context": {...}}, ...]; prints one JSON array of
// {"value", "variant", "reason"} in request order.
// The engine is found through FLAGD_CORE (the package folder) or node's usual lookup.
'use strict';
const fs = require('fs');
const { FlagdCore } = require(process.env.FLAGD_CORE || '@openfeature/flagd-core');

const core = new FlagdCore();
core.setConfigurations(fs.readFileSync(process.argv[2], 'utf8'));
const defaults = { boolean: false, string: '', number: 0, object: {} };
const requests = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = requests.map(({ flag, type, context }) => {
  const r = core.resolve(type, flag, defaults[type], context || {});
  return { value: r.value, variant: r.variant ?? null, reason: r.reason ?? null };
});
process.stdout.write(JSON.stringify(out));
