/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { createLocalCheckProvider } from '../../functions/checks/local';
import { DEFAULT_FLOW, image } from './testdata';

/**
 * The pipeline runs checks concurrently on a cold process: first calls race on model loading (one shared load
 * per process) and wasm/onnx inference interleaves. Results must equal what each check gives on its own.
 */
describe('concurrent checks on a cold provider', () => {
  it('share one model load and return the same verdicts as sequential runs', async () => {
    const a = createLocalCheckProvider();
    const b = createLocalCheckProvider();
    const flow = { thresholds: DEFAULT_FLOW.thresholds };
    const frames = ['frame_013.jpg', 'frame_022.jpg', 'frame_009.jpg'].map((f) => image(`liveness/person_a/${f}`));
    const [doc, match, mismatch, liveness, template] = await Promise.all([
      a.checkDocument({
        front: image('documents/synth_td3_uto_person_a.jpg'),
        back: null,
        flow: { documentTypes: [], issuingCountries: [], minimumAge: null },
        today: '2026-11-29',
      }),
      b.checkFaceMatch({
        reference: image('documents/synth_td3_uto_person_a.jpg'),
        probe: image('liveness/person_a/frame_019.jpg'),
        flow,
      }),
      a.checkFaceMatch({ reference: image('faces/obama_01.jpg'), probe: image('faces/biden_02.jpg'), flow }),
      b.checkLiveness({
        prompts: ['left', 'right', 'centre'],
        frames,
        selfie: image('liveness/person_a/frame_019.jpg'),
        flow,
      }),
      a.faceTemplate(image('faces/london_005_neutral.jpg')),
    ]);
    expect(doc.outcome).toBe('pass');
    expect(doc.fields?.mrzLines).toEqual([
      'P<UTOSPECIMEN<<PAULA<<<<<<<<<<<<<<<<<<<<<<<<',
      'H5D8K2L736UTO8806116F3406108<<<<<<<<<<<<<<06',
    ]);
    expect(match.outcome).toBe('pass');
    expect(mismatch.reasonCodes).toEqual(['BAD_FACE_MATCHING']);
    expect(liveness.outcome).toBe('pass');
    expect(template?.vector).toHaveLength(128);

    const again = await b.checkFaceMatch({
      reference: image('documents/synth_td3_uto_person_a.jpg'),
      probe: image('liveness/person_a/frame_019.jpg'),
      flow,
    });
    expect(again.scores.distance).toBeCloseTo(match.scores.distance ?? 0, 5);
  }, 120_000);
});
