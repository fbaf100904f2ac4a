// ESLint flat config for the map's own JavaScript (layers/map/static/*.js): plain
// browser scripts that run after Leaflet (the global L) and define window.newsmap.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  { ignores: [".venv/**", "static/**", "node_modules/**"] },
  {
    files: ["layers/map/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly" },
    },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      strict: ["error", "function"],
      "max-len": ["error", { code: 100, ignoreUrls: true }],
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: js.configs.recommended.rules,
  },
];
