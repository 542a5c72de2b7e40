/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { createLocalCheckProvider } from '../../functions/checks/local';
import { evaluate, figures, syntheticImages, type Outcome } from '../mrz-eval/evaluate';

/**
 * The document check on a small fixed slice of the generated MRZ documents (test/mrz-eval: the first 8
 * tuning-part documents, TD1/TD2/TD3, scans and phone photos): nothing read wrong, and at least 6 exact
 * (the reader reads 7, seed 6's alphanumeric document number is ambiguous; the check is deterministic, the floor
 * leaves one threshold-edge document of room).
 * The full figures come from `npm run eval:documents`.
 */
const SLICE = 8;
const MIN_EXACT = 6;

/**
 * Tuning-part documents photographed turned, whose detected MRZ line boxes reach into the neighbouring MRZ line
 * (the recognizer then reads both lines' glyphs): found by the second search on tightened boxes (mrz-reader.ts).
 */
const TURNED_SEEDS = [145, 168, 287];

let outcomes: Outcome[] = [];
const turned: Outcome[] = [];

beforeAll(async () => {
  const provider = createLocalCheckProvider();
  await provider.warmUp();
  outcomes = await evaluate(provider, await syntheticImages('tuning', SLICE));
  for (const seed of TURNED_SEEDS)
    turned.push(...(await evaluate(provider, await syntheticImages('tuning', 1, seed - 1))));
}, 300_000);

describe('MRZ reading on generated documents (fixed slice)', () => {
  it('reads none of them wrong', () => {
    expect(outcomes.filter((o) => o.verdict === 'wrong')).toEqual([]);
  });

  it(`reads at least ${MIN_EXACT} of ${SLICE} exactly`, () => {
    const f = figures(outcomes);
    expect(f.total).toBe(SLICE);
    expect(f.exact).toBeGreaterThanOrEqual(MIN_EXACT);
  });

  it('finds the MRZ block of turned documents whose detected line boxes overlap the next line', () => {
    expect(turned.map((o) => [o.name, o.verdict])).toEqual(
      TURNED_SEEDS.map((seed) => [expect.stringContaining(`tuning#${seed} `), 'exact']),
    );
  });
});
