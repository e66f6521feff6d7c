import test from 'ava';
import { emptyScores } from '../src/prior/scores.js';
import { Readout } from '../src/prior/transformers/readout.js';

// Rows a log_softmax can give, with the values where an integer comparison of float bits could go
// wrong: +0 and -0 (equal), -Infinity, ties, tiny and large magnitudes.
// Nine entries: an odd length, so the pairwise counting's last single entry is checked too.
const ROWS = [
  [0, -1e-7, -0.5, -0.5, -3, -88.7, -Infinity, -1e-30, -0.5],
  [-0, -0.25, -Infinity, -0.25, -1e-7, -20, -2, -0, -1e-7],
  [-Infinity, -Infinity, -1, -0.69, -0.7, -0.69, -3e38, -1.5e-45, 0],
];

test('ranks counted from float bits equal the naive count, for every target of awkward rows', (t) => {
  const vocab = ROWS[0].length;
  const data = new Float32Array(ROWS.flat());
  const plan = { rank: true, entropy: false, moments: false, candidatesAbove: 1 };
  const sink = emptyScores(ROWS.length * vocab, 0);
  const readout = new Readout(data, vocab, new Uint8Array(vocab).fill(1), plan);
  let at = 0;
  ROWS.forEach((_, r) => {
    for (let target = 0; target < vocab; target++) {
      readout.position(r * vocab, target, sink, at);
      const x = data[r * vocab + target];
      const naive = 1 + data.subarray(r * vocab, (r + 1) * vocab).filter((y) => y > x).length;
      t.is(sink.rank[at], naive, `row ${r}, target ${target} (${x})`);
      at++;
    }
  });
});
