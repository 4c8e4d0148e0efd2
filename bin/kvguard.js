#!/usr/bin/env node
// The CLI is compiled by `npm run build`; this shim keeps `bin` stable across builds.
import("../dist/src/cli/main.js").then((cli) => cli.main(process.argv.slice(2)));
