import { cp, open, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const SHIPPED_MODEL = 'models/brown-gpt-5m';
export const ONNX_GRAPH = 'onnx/decoder_model_merged.onnx';

/** A copy of the shipped model folder, SHA256SUMS included, at `dir`/`name`, to damage. */
export async function copyShippedModel(dir: string, name: string): Promise<{ folder: string; onnx: string }> {
  const folder = join(dir, name);
  await cp(SHIPPED_MODEL, folder, { recursive: true });
  return { folder, onnx: join(folder, ONNX_GRAPH) };
}

/**
 * Invert `count` bytes spread evenly over the middle third of `file`, in place, keeping its size:
 * the damage of issue 20 (same size, other weights). Spread out, the flips hit several weight
 * matrices whatever the graph's layout, so a rebuilt model is damaged as surely as this one.
 */
export async function flipBytes(file: string, count = 200): Promise<void> {
  const { size } = await stat(file);
  const handle = await open(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    for (let i = 0; i < count; i++) {
      const at = Math.floor(size / 3 + (i * size) / 3 / count);
      await handle.read(byte, 0, 1, at);
      byte[0] ^= 0xff;
      await handle.write(byte, 0, 1, at);
    }
  } finally {
    await handle.close();
  }
}
