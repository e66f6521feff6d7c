import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quietLibraries } from '../src/prior/transformers/quiet-libraries.js';
import { startNode } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

/** Protobuf wire format, just enough to write a tiny ONNX model. */
const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
const int = (field: number, n: number) => [...varint(field << 3), ...varint(n)];
const bytes = (field: number, data: number[] | Buffer) => [...varint((field << 3) | 2), ...varint(data.length), ...data];
const str = (field: number, s: string) => bytes(field, Buffer.from(s));

/**
 * y = Identity(x) over float[1], plus a weight no node uses: a real ONNX model on which
 * onnxruntime's C++ logger writes "[W:onnxruntime:...] Removing initializer 'unused'" straight to
 * the process's stderr, where no console hook reaches (exported models often carry such weights).
 */
function unusedInitializerModel(): Buffer {
  const floatOne = bytes(1, [...int(1, 1), ...bytes(2, bytes(1, int(1, 1)))]); // TypeProto: tensor float, shape [1]
  const value = (name: string) => [...str(1, name), ...bytes(2, floatOne)];
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Identity')];
  const unused = [...int(1, 1), ...int(2, 1), ...str(8, 'unused'), ...bytes(9, [0, 0, 0x80, 0x3f])];
  const graph = [...bytes(1, node), ...str(2, 'g'), ...bytes(5, unused), ...bytes(11, value('x')), ...bytes(12, value('y'))];
  return Buffer.from([...int(1, 7), ...bytes(8, [...str(1, ''), ...int(2, 14)]), ...bytes(7, graph)]);
}

test("while a model loads, onnxruntime's native warnings are held back; ours, and its warnings before and after, are not", async (t) => {
  const model = join(await tempDir(t, 'quiet'), 'unused.onnx');
  await writeFile(model, unusedInitializerModel());
  const code = `
    import { ONNX } from '@xenova/transformers/src/backends/onnx.js';
    import { quietLibraries } from './src/prior/transformers/quiet-libraries.ts';
    const create = (label) => ONNX.InferenceSession.create(${JSON.stringify(model)}).then(() => console.error(label + ' created'));
    await create('before');
    await quietLibraries(async () => { await create('while loading'); console.error('our line'); });
    await create('after');`;
  const { stdout, stderr, code: exit } = await startNode(['--input-type=module', '-e', code]).done;
  t.is(exit, 0, stdout + stderr);
  // stderr is a pipe, written synchronously by Node and by onnxruntime alike: the order is real.
  const lines = stderr.trim().split('\n').map((l) => (/Removing initializer 'unused'/.test(l) ? 'WARNING' : l));
  t.deepEqual(lines, ['WARNING', 'before created', 'while loading created', 'our line', 'WARNING', 'after created']);
});

test('console and onnxruntime are put back when the last of overlapping loads ends', async (t) => {
  const warn = console.warn;
  let finishFirst!: () => void;
  const first = quietLibraries(() => new Promise<void>((resolve) => (finishFirst = resolve)));
  await quietLibraries(async () => t.not(console.warn, warn));
  t.not(console.warn, warn, 'the first load is still running');
  finishFirst();
  await first;
  t.is(console.warn, warn);
  await t.throwsAsync(quietLibraries(() => Promise.reject(new Error('load failed'))), { message: 'load failed' });
  t.is(console.warn, warn, 'also after a load that failed');
});
