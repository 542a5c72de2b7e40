import {
  classifyGlyph,
  type GlyphNetwork,
  shippedGlyphNetwork,
} from '../../functions/checks/local/mrz-glyph-classifier';

/**
 * The classifier's forward pass is hand-tuned (locals, a four-wide loop over the inputs): it must give exactly
 * what the textbook two-layer perceptron gives, summing in the same order, on the shipped network.
 */
function textbookForward(net: GlyphNetwork, input: Float32Array): Float32Array {
  const hidden = new Float32Array(net.hidden);
  for (let j = 0; j < net.hidden; j++) {
    let s = net.b1[j]!;
    for (let i = 0; i < net.inputs; i++) s += net.w1[j * net.inputs + i]! * (input[i] ?? 0);
    hidden[j] = Math.max(s, 0);
  }
  // Logits and probabilities stored as float32, the softmax shift taken from the unrounded logits, the sum of
  // the unrounded exponentials: the product's precision, step by step.
  const logits = Array.from({ length: net.outputs }, (_, k) => {
    let s = net.b2[k]!;
    for (let j = 0; j < net.hidden; j++) s += net.w2[k * net.hidden + j]! * hidden[j]!;
    return s;
  });
  const max = Math.max(...logits);
  const out = Float32Array.from(logits);
  let sum = 0;
  for (let k = 0; k < out.length; k++) {
    const e = Math.exp(out[k]! - max);
    out[k] = e;
    sum += e;
  }
  return out.map((e) => e / sum);
}

it('gives bit for bit the textbook forward pass on varied cells', () => {
  const net = shippedGlyphNetwork();
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let t = 0; t < 200; t++) {
    // Sparse ink on blank paper, as normalized cells are; one in ten cells shorter than the input (zero-padded).
    const length = t % 10 === 0 ? net.inputs - 3 : net.inputs;
    const cell = Float32Array.from({ length }, () => (random() < 0.6 ? 0 : random() * 1.5 - 0.25));
    expect(Array.from(classifyGlyph(net, cell))).toEqual(Array.from(textbookForward(net, cell)));
  }
});

it('writes the hidden activations when asked (ReLU: none negative)', () => {
  const net = shippedGlyphNetwork();
  const hidden = new Float32Array(net.hidden);
  const cell = new Float32Array(net.inputs).fill(0.5);
  const probabilities = classifyGlyph(net, cell, hidden);
  expect(hidden.some((h) => h > 0)).toBe(true);
  expect(hidden.every((h) => h >= 0)).toBe(true);
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
});
