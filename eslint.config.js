/** @module Lint rules: ESLint's and typescript-eslint's recommended sets, type-aware for the TypeScript project. */
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

/** The folders tsconfig.json includes: only their files have type information. */
const PROJECT_FILES = ["src/**/*.ts", "emulator/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"];

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
    // Last, so the recommended sets above do not reset these options.
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { prefer: "type-imports" }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
);
