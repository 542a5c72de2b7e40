/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { createLocalCheckProvider } from '../../functions/checks/local';
import { findFaces } from '../../functions/checks/local/face-analysis';
import { clearFaceAnalysisCache, faceAnalysisCacheSize } from '../../functions/checks/local/face-cache';
import { decodeImage } from '../../functions/checks/local/image';
import { DEFAULT_LOCAL_OPTIONS } from '../../functions/checks/local/options';
import { DEFAULT_FLOW, image } from './testdata';

/**
 * The face-analysis memo on real models: a cached analysis equals a fresh one (face-api is deterministic, so
 * the memo cannot change a verdict), and one attempt's checks analyse the selfie once.
 */
const provider = createLocalCheckProvider();
const options = DEFAULT_LOCAL_OPTIONS;

beforeAll(() => provider.warmUp(), 120_000);
beforeEach(() => clearFaceAnalysisCache());

it('returns the cached faces for the same pixels, equal to a fresh analysis', async () => {
  const selfie = image('faces/london_013_smiling.jpg');
  const decoded = await decodeImage(selfie.bytes, selfie.label, options.maxFaceImageSide);
  const first = await findFaces(decoded, options.selfieMinConfidence, options);
  const again = await findFaces(
    await decodeImage(selfie.bytes, selfie.label, options.maxFaceImageSide),
    options.selfieMinConfidence,
    options,
  );
  expect(first).toHaveLength(1);
  expect(again[0]).toBe(first[0]); // served from the memo
  clearFaceAnalysisCache();
  const fresh = await findFaces(decoded, options.selfieMinConfidence, options);
  expect(fresh[0]).not.toBe(first[0]);
  expect(Array.from(fresh[0]!.descriptor)).toEqual(Array.from(first[0]!.descriptor));
  expect(fresh[0]!.box).toEqual(first[0]!.box);
}, 60_000);

it('analyses the selfie once across liveness, face match and the face template', async () => {
  const selfie = image('liveness/person_a/frame_019.jpg');
  const frames = ['frame_013', 'frame_022', 'frame_009'].map((f) => image(`liveness/person_a/${f}.jpg`));
  const flow = { thresholds: DEFAULT_FLOW.thresholds };
  const liveness = await provider.checkLiveness({ prompts: ['left', 'right', 'centre'], frames, selfie, flow });
  expect(liveness.outcome).toBe('pass');
  const afterLiveness = faceAnalysisCacheSize(); // 3 frames + the selfie
  expect(afterLiveness).toBe(4);

  const match = await provider.checkFaceMatch({
    reference: image('documents/synth_td3_uto_person_a.jpg'),
    probe: selfie,
    flow,
  });
  expect(match.outcome).toBe('pass');
  expect(faceAnalysisCacheSize()).toBe(afterLiveness + 1); // only the reference was new
  const template = await provider.faceTemplate(selfie);
  expect(faceAnalysisCacheSize()).toBe(afterLiveness + 1);

  clearFaceAnalysisCache();
  const fresh = await provider.faceTemplate(selfie);
  expect(template?.vector).toEqual(fresh?.vector);
}, 120_000);
