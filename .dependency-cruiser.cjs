/**
 * The layering of src/, as dependency-cruiser rules. test/layering.test.ts
 * runs them (so `make test` does); `make layering` runs them through
 * dependency-cruiser's own command line.
 *
 * From the bottom up, each part may import only the parts below it:
 *
 *   shared utilities   src/errors.ts, src/config-file.ts, src/hash.ts, src/random.ts,
 *                      src/package-resource.ts, src/shell-quote.ts, src/progress.ts
 *   corpus             src/corpus/     readers, writers, the corpus spec
 *   prior              src/prior/
 *   edit, generate,    src/edit/, src/generate/, src/audit/  (none imports another)
 *   audit
 *   run-io             src/run-io/     run folder, manifest, versions, atomic JSON
 *                                      writes, resource lookup; may use audit's types
 *   pipeline           src/pipeline/   the runner, checkpoints, src/pipeline/shards/
 *   compare, detect,   src/compare/, src/detect/, src/simulate/: peers of the
 *   simulate                           pipeline, not built on it, not on each other
 *   cli                src/cli.ts (the entry) and src/cli/ (one module per command)
 *   index              src/index.ts, the public API
 *
 * cli and index are both on top: neither imports the other, nothing imports
 * either. No import cycles anywhere, type-only imports included
 * (tsPreCompilationDeps: true keeps `import type` in the graph).
 *
 * Every edge in src/ is held by exactly one of the layer rules below, so a
 * wrong import is reported once (and once more by no-cycles if it closes one).
 */

const UTILITIES = "^src/(errors|config-file|hash|random|package-resource|shell-quote|progress)\\.ts$";
const CLI = "^src/cli(\\.ts$|/)";
const INDEX = "^src/index\\.ts$";
/** The folders `names`, as one regular expression. */
const parts = (...names) => `^src/(${names.join("|")})/`;
const PEERS = parts("compare", "detect", "simulate");
const KNOWN = [
  UTILITIES,
  parts("corpus", "prior", "edit", "generate", "audit", "run-io", "pipeline", "compare", "detect", "simulate"),
  CLI,
  INDEX,
];

/** Modules in `from` may import, within src/, only what `allowed` matches. */
const onlyImports = (name, comment, from, allowed) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: "^src/", pathNot: allowed },
});

module.exports = {
  forbidden: [
    onlyImports(
      "utilities-import-only-utilities",
      "The shared utilities at the root of src/ import nothing else in src/ but each other.",
      UTILITIES,
      [UTILITIES],
    ),
    onlyImports(
      "corpus-imports-only-utilities",
      "src/corpus/ (readers, writers, the corpus spec) builds on the shared utilities alone.",
      parts("corpus"),
      [parts("corpus"), UTILITIES],
    ),
    onlyImports(
      "prior-imports-only-corpus-and-utilities",
      "src/prior/ builds on the corpus and the shared utilities.",
      parts("prior"),
      [parts("prior", "corpus"), UTILITIES],
    ),
    onlyImports(
      "edit-generate-audit-import-only-prior-corpus-utilities",
      "src/edit/, src/generate/ and src/audit/ build on prior, corpus and the shared " +
        "utilities; none of the three imports another.",
      parts("edit", "generate", "audit"),
      [parts("$1", "prior", "corpus"), UTILITIES],
    ),
    onlyImports(
      "run-io-imports-only-corpus-audit-utilities",
      "src/run-io/ (run folder, manifest, versions, atomic JSON writes, resource lookup) " +
        "is shared by every command, so it sits low: corpus, the shared utilities, and " +
        "audit (for its types).",
      parts("run-io"),
      [parts("run-io", "corpus", "audit"), UTILITIES],
    ),
    onlyImports(
      "pipeline-imports-only-lower-parts",
      "src/pipeline/ (runner, checkpoints, shards) builds on everything below it and " +
        "never on compare, detect, simulate, the CLI or the public API.",
      parts("pipeline"),
      [parts("pipeline", "corpus", "prior", "edit", "generate", "audit", "run-io"), UTILITIES],
    ),
    {
      name: "peers-do-not-import-pipeline",
      comment:
        "compare, detect and simulate are peers of the pipeline: what they share with it " +
        "belongs in a lower part (run-io, corpus, ...), not in src/pipeline/.",
      severity: "error",
      from: { path: PEERS },
      to: { path: parts("pipeline") },
    },
    {
      name: "peers-do-not-import-each-other",
      comment: "compare, detect and simulate do not import one another.",
      severity: "error",
      from: { path: PEERS },
      to: { path: PEERS, pathNot: parts("$1") },
    },
    onlyImports(
      "peers-import-only-lower-parts",
      "Besides the two rules above: compare, detect and simulate import only the parts " +
        "below the pipeline - never the CLI or the public API.",
      PEERS,
      [...KNOWN.filter((k) => k !== CLI && k !== INDEX)],
    ),
    {
      name: "cli-does-not-import-index",
      comment: "The CLI (src/cli.ts, src/cli/) may import any part but the public API.",
      severity: "error",
      from: { path: CLI },
      to: { path: INDEX },
    },
    {
      name: "index-does-not-import-cli",
      comment: "The public API (src/index.ts) may import any part but the CLI.",
      severity: "error",
      from: { path: INDEX },
      to: { path: CLI },
    },
    {
      name: "module-outside-the-layering",
      comment:
        "Every module in src/ belongs to one of the parts above; a new folder or root " +
        "module gets a place in these rules first.",
      severity: "error",
      from: { path: "^src/", pathNot: KNOWN },
      to: { path: "^src/" },
    },
    {
      name: "no-cycles",
      comment: "No import cycle anywhere in src/, type-only imports included.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    // Keep `import type` and type-only re-exports in the graph: a cycle through types is a cycle.
    tsPreCompilationDeps: true,
    // ESM throughout; `import("...")` expressions count as imports.
    moduleSystems: ["es6"],
  },
};
