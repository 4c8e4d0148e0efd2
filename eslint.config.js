/** @module Lint rules: ESLint's and typescript-eslint's recommended sets, type-aware for the TypeScript project. */
import { readFileSync } from "node:fs";
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

/** The folders tsconfig.json includes: only their files have type information. */
const PROJECT_FILES = ["src/**/*.ts", "dev/**/*.ts", "emulator/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"];

/** What only development installs: the product (src/) must run without any of it. */
const DEV_DEPENDENCIES = Object.keys(JSON.parse(readFileSync(`${import.meta.dirname}/package.json`, "utf8")).devDependencies);

export default defineConfig(
  globalIgnores(["dist/", "node_modules/", "bin/", "coverage/", ".kvguard/", "out/"]),
  { files: ["**/*.{js,ts}"], extends: [js.configs.recommended] },
  {
    // Every TypeScript file, including root config files outside tsconfig.json (vitest.config.ts).
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommended],
  },
  {
    files: PROJECT_FILES,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    // The product is src/: it never imports the local Key Vault or local cloud (emulator/), the developer harness
    // (dev/: local runner, stack, demos, catchers), or a devDependency. `kvguard start` and `kvguard emulator`
    // load the harness with a dynamic import from the CLI's entry, the one place allowed to.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: DEV_DEPENDENCIES.map((name) => ({ name, message: "a devDependency: the product runs without it (move the code to dev/ or test/)" })),
          patterns: [
            { group: DEV_DEPENDENCIES.map((name) => `${name}/*`), message: "a devDependency: the product runs without it" },
            { regex: "(^|/)emulator(/|$)", message: "the product never imports the local Key Vault or local cloud; the harness in dev/ does" },
            { regex: "^(\\.\\./)+dev/", message: "the developer harness is not part of the product" },
          ],
        },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli/main.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "ImportExpression > Literal[value=/(^|\\/)(emulator|dev)\\//]", message: "only the CLI's entry loads the developer harness" },
      ],
    },
  },
  {
    // Last, so the recommended sets above do not reset these options.
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { prefer: "type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
    },
  },
);
