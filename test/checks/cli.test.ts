/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import path from 'node:path';
import { runCheckCommand } from '../../functions/checks/cli';
import { TESTDATA } from './testdata';

/** The `check` CLI commands, run in-process on the shared test set. */
const file = (relative: string) => path.join(TESTDATA, relative);

async function run(args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runCheckCommand(args, (s) => lines.push(s));
  return { code, output: lines.join('\n') };
}

describe('check CLI', () => {
  it('check document --json prints the MRZ, fields, check digits and reason codes', async () => {
    const { code, output } = await run([
      'document',
      file('documents/synth_td3_uto_person_a.jpg'),
      '--today',
      '2026-11-29',
      '--json',
    ]);
    const json = JSON.parse(output);
    expect(code).toBe(0);
    expect(json).toMatchObject({
      check: 'document',
      outcome: 'pass',
      reasonCodes: [],
      riskFlags: ['SPECIMEN_DOCUMENT'],
      provider: 'local',
      fields: {
        documentType: 'passport',
        mrzFormat: 'TD3',
        mrzLines: ['P<UTOSPECIMEN<<PAULA<<<<<<<<<<<<<<<<<<<<<<<<', 'H5D8K2L736UTO8806116F3406108<<<<<<<<<<<<<<06'],
        issuingCountry: 'UTO',
        documentNumber: 'H5D8K2L73',
        surname: 'SPECIMEN',
        givenNames: 'PAULA',
        birthDate: '1988-06-11',
        expiryDate: '2034-06-10',
        sex: 'F',
        checkDigits: { documentNumber: true, birthDate: true, expiryDate: true, optional: true, composite: true },
      },
      portrait: { format: 'jpeg' },
    });
    expect(json.timings.map((t: { step: string }) => t.step)).toEqual(expect.arrayContaining(['decode', 'ocr']));
  }, 120_000);

  it('check document exits 1 with the reason code when a rule fails (expired)', async () => {
    const { code, output } = await run(['document', file('documents/td3_uto_eriksson.jpg'), '--today', '2026-11-29']);
    expect(code).toBe(1);
    expect(output).toMatch(/MRZ line 1\s+P<UTOERIKSSON<<ANNA<MARIA<+/);
    expect(output).toMatch(/check digit composite\s+valid/);
    expect(output).toMatch(/reason codes\s+EXPIRATION_DATE/);
  }, 120_000);

  it('check face-match --json prints faces, distance, similarity, threshold and match', async () => {
    const { code, output } = await run([
      'face-match',
      file('faces/london_042_neutral.jpg'),
      file('faces/london_042_smiling.jpg'),
      '--json',
    ]);
    const json = JSON.parse(output);
    expect(code).toBe(0);
    expect(json).toMatchObject({
      check: 'faceMatch',
      outcome: 'pass',
      match: true,
      extracted: { referenceFaces: 1, probeFaces: 1 },
    });
    expect(json.scores.threshold).toBe(0.6);
    expect(json.scores.distance).toBeLessThan(0.6);
    expect(json.scores.similarity).toBeGreaterThan(50);

    const other = await run([
      'face-match',
      file('faces/london_042_neutral.jpg'),
      file('faces/london_013_smiling.jpg'),
      '--json',
    ]);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.output)).toMatchObject({ match: false, reasonCodes: ['BAD_FACE_MATCHING'] });
  }, 60_000);

  it('check liveness prints per-frame yaw and face count', async () => {
    const frames = ['frame_013.jpg', 'frame_022.jpg', 'frame_009.jpg'].map((f) => file(`liveness/person_a/${f}`));
    const { code, output } = await run([
      'liveness',
      '--prompts',
      'left,right,centre',
      ...frames,
      '--selfie',
      file('liveness/person_a/frame_019.jpg'),
      '--json',
    ]);
    const json = JSON.parse(output);
    expect(code).toBe(0);
    expect(json.outcome).toBe('pass');
    expect(json.extracted.frames.map((f: { faces: number }) => f.faces)).toEqual([1, 1, 1]);
    expect(json.extracted.frames.map((f: { yaw: number }) => Math.sign(f.yaw))).toEqual([1, -1, expect.any(Number)]);

    const table = await run(['liveness', '--prompts', 'right,left,centre', ...frames]);
    expect(table.code).toBe(1);
    expect(table.output).toMatch(/^frame\s+prompt\s+faces\s+yaw/m);
    expect(table.output).toMatch(/reason codes\s+LIVENESS_FAILED/);
  }, 60_000);

  it('rejects bad usage with exit code 2', async () => {
    expect((await run(['liveness', '--prompts', 'left,up', 'a.jpg', 'b.jpg'])).code).toBe(2);
    expect((await run(['liveness', '--prompts', 'left,right', 'a.jpg'])).code).toBe(2);
    expect((await run(['face-match', 'only-one.jpg'])).code).toBe(2);
    expect((await run(['document', '/nonexistent/x.jpg'])).output).toMatch(/cannot read/);
    expect((await run(['selfie'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
  });
});
