/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCheckCommand } from '../../functions/checks/cli';
import { buildSequence, personAFrames, personFrames } from '../support/liveness-sequences';
import { TESTDATA } from './testdata';

/**
 * Liveness from a continuous recording, through `check liveness --sequence` on the real local provider:
 * person_a's continuous sweep passes; stills, tilts, slight turns, a repeated still, a splice of two people
 * and shuffled frames fail, each for its own reason.
 */

jest.setTimeout(180_000);

interface SequenceJson {
  outcome: string;
  reasonCodes: string[];
  riskFlags: string[];
  extracted: {
    sequence: {
      status: string;
      problems: Array<{ code: string }>;
      promptFrames: Array<number | null>;
      yaws: Array<number | null>;
    };
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kyc-seq-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(
  name: string,
  sequence: Buffer,
  prompts: string,
  extra: string[] = [],
): Promise<{ code: number; json: SequenceJson; problems: string[] }> {
  const file = path.join(dir, `${name}.kseq`);
  writeFileSync(file, sequence);
  const lines: string[] = [];
  const code = await runCheckCommand(['liveness', '--sequence', file, '--prompts', prompts, '--json', ...extra], (s) =>
    lines.push(s),
  );
  const json = JSON.parse(lines.join('\n')) as SequenceJson;
  return { code, json, problems: json.extracted.sequence.problems.map((p) => p.code) };
}

const A = personAFrames();

describe('check liveness --sequence', () => {
  it('passes person_a turning right, to the centre, then left (the whole 4 fps recording)', async () => {
    const { code, json, problems } = await check('a-whole', await buildSequence(A), 'right,centre,left');
    expect(problems).toEqual([]);
    expect(json).toMatchObject({ outcome: 'pass', reasonCodes: [], riskFlags: [] });
    expect(code).toBe(0);
  });

  it('passes the same recording for the five prompts it shows (right, centre, left, centre, right)', async () => {
    const { json } = await check('a-five', await buildSequence(A), 'right,centre,left,centre,right');
    expect(json.outcome).toBe('pass');
    expect(json.extracted.sequence.promptFrames.every((f) => f !== null)).toBe(true);
  });

  it('refuses the prompts in an order the recording does not show', async () => {
    const { json, problems } = await check('a-wrong-order', await buildSequence(A), 'left,right,centre');
    expect(json.outcome).toBe('fail');
    expect(json.reasonCodes).toEqual(['LIVENESS_FAILED']);
    expect(problems.some((p) => p === 'prompt_not_met' || p === 'unprompted_turn')).toBe(true);
  });

  it('refuses three far-apart stills, each matching its prompt, at their capture times (gaps)', async () => {
    // right (0 s), left (3.25 s), centre (4.5 s): the poses are right, the motion between them is missing.
    const stills = await buildSequence([A[0]!, A[13]!, A[18]!], { times: [0, 3250, 4500] });
    const { code, json, problems } = await check('stills', stills, 'right,left,centre');
    expect(json.extracted.sequence.promptFrames).toEqual([0, 1, 2]);
    expect(problems).toContain('gap');
    expect(json).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] });
    expect(code).toBe(1);
  });

  it('refuses the same stills re-stamped as a 4 fps recording (a right-to-left turn in 250 ms)', async () => {
    const stills = await buildSequence([A[0]!, A[13]!, A[18]!]);
    const { json, problems } = await check('stills-restamped', stills, 'right,left,centre');
    expect(json.outcome).toBe('fail');
    expect(problems).toContain('too_fast');
  });

  it('refuses person_b, who tilts the head without turning it', async () => {
    const { json, problems } = await check(
      'person-b',
      await buildSequence(personFrames('person_b')),
      'left,right,centre',
    );
    expect(json.outcome).toBe('fail');
    expect(problems).toContain('prompt_not_met');
  });

  it("refuses person_c's slight turns (12-16 degrees): every frame's face is found and reads under 20 degrees", async () => {
    // Frontal, turned right, frontal, turned left (the labels' PnP: 0.7, -13.7, 1.7, 15.8 degrees).
    const frames = ['cap12_f0003', 'cap12_f0193', 'cap13_f0046', 'cap13_f0103'].map((f) =>
      path.join(TESTDATA, 'liveness', 'person_c', `${f}.jpg`),
    );
    const { json, problems } = await check('person-c', await buildSequence(frames), 'right,centre,left');
    expect(json.outcome).toBe('fail');
    expect(problems).toContain('prompt_not_met');
    const yaws = json.extracted.sequence.yaws;
    expect(yaws.every((y) => y !== null && Math.abs(y) < 20)).toBe(true);
    expect(Math.max(...yaws.map((y) => Math.abs(y!)))).toBeGreaterThan(10); // they did turn, slightly
  });

  it('refuses a still repeated as a recording, with REPLAYED_FRAMES', async () => {
    const still = await buildSequence(Array.from({ length: 12 }, () => A[13]!));
    const { json, problems } = await check('still-repeated', still, 'left,centre,right');
    expect(json).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'], riskFlags: ['REPLAYED_FRAMES'] });
    expect(problems).toContain('duplicate_run');
  });

  it('refuses two people spliced together (person_a turning, then another face)', async () => {
    const other = ['london_042_neutral.jpg', 'london_042_smiling.jpg'].map((f) => path.join(TESTDATA, 'faces', f));
    const spliced = await buildSequence([...A.slice(0, 12), other[0]!, other[1]!, other[0]!, other[1]!]);
    const { json, problems } = await check('spliced', spliced, 'right,centre,left');
    expect(json.outcome).toBe('fail');
    expect(problems).toContain('identity_changed');
  });

  it("refuses person_a's recording against another person's selfie", async () => {
    const { json, problems } = await check('other-selfie', await buildSequence(A), 'right,centre,left', [
      '--selfie',
      path.join(TESTDATA, 'faces', 'london_042_neutral.jpg'),
    ]);
    expect(json.outcome).toBe('fail');
    expect(problems).toContain('not_selfie_person');
  });

  it('refuses frames out of order: shuffled and re-stamped (the motion zig-zags)', async () => {
    // A fixed permutation (every 5th frame, wrapping): deterministic, and far from the capture order.
    const shuffled = A.map((_, i) => A[(i * 5) % A.length]!);
    const { json, problems } = await check('shuffled', await buildSequence(shuffled), 'right,centre,left');
    expect(json.outcome).toBe('fail');
    expect(problems).toContain('not_smooth');
  });

  it('refuses frames out of order with their own capture times, with REPLAYED_FRAMES', async () => {
    const order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 13, 12, 11, 10, 15, 16, 17, 18, 19, 20, 21, 22];
    const reordered = await buildSequence(
      order.map((i) => A[i]!),
      { times: order.map((i) => i * 250) },
    );
    const { json, problems } = await check('reordered', reordered, 'right,centre,left');
    expect(json).toMatchObject({ outcome: 'fail', riskFlags: ['REPLAYED_FRAMES'] });
    expect(problems).toContain('timestamps_not_increasing');
  });

  it('reports an unreadable container as inconclusive', async () => {
    const { json } = await check('garbage', Buffer.from('KYCSEQ01 not a container'), 'right,centre,left');
    expect(json).toMatchObject({ outcome: 'inconclusive', reasonCodes: ['LIVENESS_INCONCLUSIVE'] });
    expect(json.extracted.sequence.status).toBe('invalid');
  });
});
