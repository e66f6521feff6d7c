// The layering of src/ (which part may import which, no import cycles) as written down in
// .dependency-cruiser.cjs, checked with dependency-cruiser; and the size of its modules.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const cruised = (async () => {
  const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
  const { output } = await cruise(['src'], options, {}, { tsConfig: extractTSConfig('tsconfig.json') });
  return output as ICruiseResult;
})();

const arrow = (types: readonly string[] | undefined) => (types?.includes('type-only') ? ' →(type-only) ' : ' → ');

/** One line per violation: the rule, then from → to; a cycle spelled out, its type-only links marked. */
function describe(v: IViolation): string {
  if (v.cycle?.length) return `${v.rule.name}: ${v.from}${v.cycle.map((s) => arrow(s.dependencyTypes) + s.name).join('')}`;
  return `${v.rule.name}: ${v.from}${arrow(v.dependencyTypes)}${v.to}`;
}

test('every import in src/ resolves, so the rules see the whole graph', async (t) => {
  const { modules } = await cruised;
  t.true(modules.some((m) => m.source === 'src/cli.ts') && modules.some((m) => m.source === 'src/index.ts'));
  const unresolved = modules.flatMap((m) =>
    m.dependencies.filter((d) => d.couldNotResolve && !d.coreModule).map((d) => `${m.source} → ${d.module}`),
  );
  t.deepEqual(unresolved, [], 'imports dependency-cruiser could not resolve');
});

test('src/ keeps its layering: no part imports a higher one, no import cycles', async (t) => {
  const { violations } = (await cruised).summary;
  // The wrong imports first, then the cycles (one wrong import can close many).
  const lines = [...violations.filter((v) => !v.cycle), ...violations.filter((v) => v.cycle)].map(describe);
  if (lines.length === 0) return t.pass();
  t.fail(`${lines.length} layering violation(s) (rules and the layering: .dependency-cruiser.cjs):\n  ${lines.join('\n  ')}`);
});

test('one job per module: no file under src/ over 300 lines, the CLI entry point under 100', async (t) => {
  const { modules } = await cruised;
  const sources = modules.filter((m) => m.source.startsWith('src/')).map((m) => m.source);
  const lines = (file: string) => readFileSync(file, 'utf8').split('\n').length - 1;
  t.deepEqual(sources.filter((f) => lines(f) > 300).map((f) => `${f} (${lines(f)} lines)`), []);
  t.true(lines('src/cli.ts') < 100, `src/cli.ts has ${lines('src/cli.ts')} lines`);
  const commands = sources.filter((f) => f.startsWith('src/cli/'));
  t.true(commands.length >= 10, `${commands.length} command modules`);
  t.deepEqual(commands.filter((f) => lines(f) >= 150), [], 'command modules of 150 lines or more');
});
