import { createLocalCheckProvider } from '../../functions/checks/local';
import { findFaces } from '../../functions/checks/local/face-analysis';
import { judgeDistance, similarityFromDistance } from '../../functions/checks/local/face-match-check';
import { descriptorDistance } from '../../functions/checks/local/faces';
import { decodeImage } from '../../functions/checks/local/image';
import { DEFAULT_LOCAL_OPTIONS } from '../../functions/checks/local/options';
import { DEFAULT_FLOW, image, readJson, TimingLog, type Labels, type Pairs } from './testdata';

/**
 * Face matching on the shared test set at the default threshold (0.6): every same-person pair must be a clear
 * match and every different-person pair a clear non-match; each image's descriptor is computed once.
 */
const provider = createLocalCheckProvider();
const labels = readJson<Labels>('labels.json');
const pairs = readJson<Pairs>('pairs.json');
const threshold = DEFAULT_FLOW.thresholds.faceMatchMaxDistance;
const timings = new TimingLog();
const descriptors = new Map<string, number[] | null>();
const documentDescriptors = new Map<string, Float32Array | null>();

beforeAll(async () => {
  await timings.time('warmUp', () => provider.warmUp());
  for (const label of labels.faces.filter((f) => f.faces === 1)) {
    const template = await timings.time('faceTemplate', () => provider.faceTemplate(image(label.file)));
    descriptors.set(label.file, template?.vector ?? null);
  }
  // The document's largest face, found exactly as checkFaceMatch finds its reference face.
  for (const doc of labels.documents) {
    const decoded = await decodeImage(image(doc.file).bytes, doc.file, DEFAULT_LOCAL_OPTIONS.maxFaceImageSide);
    const faces = await findFaces(decoded, DEFAULT_LOCAL_OPTIONS.selfieMinConfidence, DEFAULT_LOCAL_OPTIONS);
    documentDescriptors.set(doc.file, faces[0]?.descriptor ?? null);
  }
}, 120_000);

afterAll(() => timings.print('face-match'));

describe('face templates', () => {
  it('finds exactly one face in every single-face image', () => {
    const missing = [...descriptors.entries()].filter(([, d]) => d === null).map(([f]) => f);
    expect(missing).toEqual([]);
    for (const d of descriptors.values()) expect(d).toHaveLength(128);
  });

  it('returns no template for no-face and two-face images', async () => {
    for (const label of labels.faces.filter((f) => f.faces !== 1)) {
      expect(await provider.faceTemplate(image(label.file))).toBeNull();
    }
  });
});

describe('face pairs at the default threshold', () => {
  it('matches every same-person pair and rejects every different-person pair', () => {
    const wrong: string[] = [];
    let same = 0;
    let different = 0;
    for (const pair of pairs.face_pairs) {
      const a = descriptors.get(pair.a);
      const b = descriptors.get(pair.b);
      if (!a || !b) throw new Error(`no descriptor for ${pair.a} or ${pair.b}`);
      const distance = descriptorDistance(a, b);
      const verdict = judgeDistance(distance, threshold, DEFAULT_LOCAL_OPTIONS);
      if (verdict !== (pair.same ? 'pass' : 'fail'))
        wrong.push(`${pair.a} ~ ${pair.b}: ${distance.toFixed(3)} -> ${verdict}`);
      if (pair.same) same++;
      else different++;
    }
    expect(wrong).toEqual([]);
    expect(same).toBeGreaterThan(5);
    expect(different).toBeGreaterThan(50);
  });

  it('judges every document-vs-face pair correctly from the document portrait', () => {
    const wrong: string[] = [];
    let judged = 0;
    for (const pair of pairs.document_face_pairs) {
      const doc = documentDescriptors.get(pair.document);
      const face = descriptors.get(pair.face);
      const label = labels.documents.find((d) => d.file === pair.document);
      if (!label?.portrait) continue;
      if (!doc || !face) throw new Error(`no face for ${pair.document} or ${pair.face}`);
      const distance = descriptorDistance(doc, face);
      const verdict = judgeDistance(distance, threshold, DEFAULT_LOCAL_OPTIONS);
      if (verdict !== (pair.same ? 'pass' : 'fail'))
        wrong.push(`${pair.document} ~ ${pair.face}: ${distance.toFixed(3)} -> ${verdict}`);
      judged++;
    }
    expect(wrong).toEqual([]);
    expect(judged).toBeGreaterThan(50);
  });

  it('finds no face on document backs without a portrait', () => {
    for (const doc of labels.documents.filter((d) => !d.portrait)) expect(documentDescriptors.get(doc.file)).toBeNull();
  });
});

describe('checkFaceMatch', () => {
  const flow = { thresholds: DEFAULT_FLOW.thresholds };

  it('passes a selfie against the synthetic passport of the same person', async () => {
    const result = await timings.time('checkFaceMatch', () =>
      provider.checkFaceMatch({
        reference: image('documents/synth_td3_uto_london013.jpg'),
        probe: image('faces/london_013_smiling.jpg'),
        flow,
      }),
    );
    expect(result).toMatchObject({ check: 'faceMatch', outcome: 'pass', reasonCodes: [], provider: 'local' });
    expect(result.scores.distance).toBeLessThan(threshold);
    expect(result.scores.threshold).toBe(threshold);
    expect(result.scores.similarity).toBe(similarityFromDistance(result.scores.distance ?? 9));
    expect(result.timings.map((t) => t.step)).toEqual(
      expect.arrayContaining(['decode', 'detect_reference', 'detect_probe']),
    );
  });

  it('declines another person with BAD_FACE_MATCHING', async () => {
    const result = await timings.time('checkFaceMatch', () =>
      provider.checkFaceMatch({
        reference: image('documents/synth_td1_uto_london042.jpg'),
        probe: image('faces/london_013_smiling.jpg'),
        flow,
      }),
    );
    expect(result.outcome).toBe('fail');
    expect(result.reasonCodes).toEqual(['BAD_FACE_MATCHING']);
    expect(result.scores.distance).toBeGreaterThan(threshold);
  });

  it('reports NO_FACE_IN_SELFIE for every no-face image', async () => {
    const noFace = labels.faces.filter((f) => f.faces === 0);
    expect(noFace.length).toBeGreaterThanOrEqual(4);
    for (const label of noFace) {
      const result = await timings.time('checkFaceMatch', () =>
        provider.checkFaceMatch({
          reference: image('documents/synth_td3_uto_london013.jpg'),
          probe: image(label.file),
          flow,
        }),
      );
      expect({ file: label.file, outcome: result.outcome, codes: result.reasonCodes }).toEqual({
        file: label.file,
        outcome: 'fail',
        codes: ['NO_FACE_IN_SELFIE'],
      });
    }
  });

  it('reports MULTIPLE_FACES_IN_SELFIE for the two-face image', async () => {
    const two = labels.faces.find((f) => f.faces === 2);
    if (!two) throw new Error('test set has no two-face image');
    const result = await provider.checkFaceMatch({
      reference: image('faces/obama_01.jpg'),
      probe: image(two.file),
      flow,
    });
    expect(result.outcome).toBe('fail');
    expect(result.reasonCodes).toEqual(['MULTIPLE_FACES_IN_SELFIE']);
    expect(result.extracted.probeFaces).toBe(2);
  });

  it('reports NO_FACE_ON_DOCUMENT for a document back without portrait', async () => {
    const result = await provider.checkFaceMatch({
      reference: image('documents/td1_deu_mustermann_back.jpg'),
      probe: image('faces/obama_01.jpg'),
      flow,
    });
    expect(result.reasonCodes).toEqual(['NO_FACE_ON_DOCUMENT']);
  });

  it('returns FACE_MATCH_INCONCLUSIVE inside the review band around the threshold', async () => {
    // Move the threshold onto the measured distance of a real pair: the verdict must become inconclusive.
    const clear = await provider.checkFaceMatch({
      reference: image('faces/obama_01.jpg'),
      probe: image('faces/obama_02.jpg'),
      flow,
    });
    const distance = clear.scores.distance ?? 0;
    const borderline = await provider.checkFaceMatch({
      reference: image('faces/obama_01.jpg'),
      probe: image('faces/obama_02.jpg'),
      flow: { thresholds: { ...flow.thresholds, faceMatchMaxDistance: distance + 0.01 } },
    });
    expect(borderline.outcome).toBe('inconclusive');
    expect(borderline.reasonCodes).toEqual(['FACE_MATCH_INCONCLUSIVE']);
  });

  it('rejects bytes that are not an image without throwing', async () => {
    const result = await provider.checkFaceMatch({
      reference: image('faces/obama_01.jpg'),
      probe: { bytes: Buffer.from('not an image'), label: 'junk' },
      flow,
    });
    expect(result.reasonCodes).toEqual(['NO_FACE_IN_SELFIE']);
  });
});

describe('judgeDistance', () => {
  it('uses the documented review band', () => {
    const o = DEFAULT_LOCAL_OPTIONS;
    expect(judgeDistance(0.3, 0.6, o)).toBe('pass');
    expect(judgeDistance(0.6 - o.inconclusiveBelow - 0.001, 0.6, o)).toBe('pass');
    expect(judgeDistance(0.6, 0.6, o)).toBe('inconclusive');
    expect(judgeDistance(0.6 + o.inconclusiveAbove + 0.001, 0.6, o)).toBe('fail');
  });
});
