// Validates instances against JSON Schemas with ajv (draft 2020-12, strict).
//
// Usage: node ajv_validate.js JOBS.json
// JOBS.json: [{"name": str, "schema": {...}, "instances": [...],
//              "keywords": [annotation keywords to declare, optional]}, ...]
// Prints one JSON line: [{"name": str, "error": str|null, "valid": [bool, ...]}, ...]
// where "error" is the reason ajv refused to compile the schema (strict mode
// turns unknown keywords, unknown formats and invalid patterns into errors).
// ajv and ajv-formats come from the folder .ci/run installs them into
// (NODE_PATH=target/ci-node/node_modules).
"use strict";
const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020").default;

const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = [];
for (const job of jobs) {
  // strict: every strict check is an error, not a log line. Patterns are
  // compiled with the `u` flag (ajv's default `unicodeRegExp: true`).
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  // Annotations such as mcfg's `x-mcfg-tier`, declared as strict mode asks.
  if (job.keywords) ajv.addVocabulary(job.keywords);
  let validate;
  try {
    validate = ajv.compile(job.schema);
  } catch (e) {
    out.push({ name: job.name, error: String(e.message), valid: [] });
    continue;
  }
  const valid = job.instances.map((v) => validate(v) === true);
  out.push({ name: job.name, error: null, valid });
}
process.stdout.write(JSON.stringify(out) + "\n");
