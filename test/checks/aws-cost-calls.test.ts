/**
 * Keeps docs/cost.md honest: runs one verification per scenario through the AWS provider (mocked SDK
 * clients), counts the billable calls from the mocks' call history, and compares them with the doc's
 * machine-readable tables. The AI-service subtotal in the doc must also equal count x unit price.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CompareFacesCommand,
  CreateFaceLivenessSessionCommand,
  DetectFacesCommand,
  GetFaceLivenessSessionResultsCommand,
  IndexFacesCommand,
  SearchFacesByImageCommand,
} from '@aws-sdk/client-rekognition';
import { AnalyzeIDCommand, DetectDocumentTextCommand } from '@aws-sdk/client-textract';
import type { DocumentCheckInput, ImageInput } from '../../functions/ports/checks';
import type { MrzReader } from '../../functions/checks/aws';
import {
  PERSON_A_MRZ,
  TODAY,
  faceDetail,
  faceMatch,
  mockedProvider,
  testImage,
  textractBlocks,
  thresholds,
} from './aws-fixtures';

const COST_DOC = path.join(__dirname, '../../docs/cost.md');

/** Rows of the markdown table between `<!-- name:start -->` and `<!-- name:end -->`, keyed by first column. */
function docTable(doc: string, name: string): Map<string, Record<string, string>> {
  const start = doc.indexOf(`<!-- ${name}:start -->`);
  const end = doc.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) throw new Error(`docs/cost.md has no ${name} table`);
  const rows = doc
    .slice(start, end)
    .split('\n')
    .filter((l) => l.trim().startsWith('|') && !/^\|\s*-/.test(l.trim()))
    .map((l) =>
      l
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((c) => c.trim().replace(/`/g, '')),
    );
  const [header, ...body] = rows;
  if (!header) throw new Error(`${name} table is empty`);
  return new Map(body.map((cells) => [cells[0] ?? '', Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']))]));
}

const COUNTED = [
  'DetectFaces',
  'CompareFaces',
  'IndexFaces',
  'SearchFacesByImage',
  'CreateFaceLivenessSession',
  'GetFaceLivenessSessionResults',
  'DetectDocumentText',
  'AnalyzeID',
  'TextractPages',
] as const;
type Counts = Record<(typeof COUNTED)[number], number>;

const front: ImageInput = { bytes: testImage('documents/synth_td3_uto_person_a.jpg'), label: 'document_front' };
const licenceBack: ImageInput = { bytes: testImage('documents/td1_che_specimen_back.jpg'), label: 'document_back' };
const selfie: ImageInput = { bytes: testImage('liveness/person_a/frame_019.jpg'), label: 'selfie' };
const frames: ImageInput[] = ['013', '000', '009'].map((n, i) => ({
  bytes: testImage(`liveness/person_a/frame_${n}.jpg`),
  label: `frame ${i}`,
}));
const yaws = [35, -40, 2];

interface Scenario {
  mrzReader: MrzReader;
  document: Pick<DocumentCheckInput, 'back' | 'flow'>;
  liveness: 'head-turn' | 'face-liveness' | 'none';
  faceMatch: boolean;
}
const anyFlow = { documentTypes: [], issuingCountries: [], minimumAge: 18 };
const noMrz: MrzReader = async () => null;
const SCENARIOS: Record<string, Scenario> = {
  'full-head-turn': {
    mrzReader: noMrz,
    document: { back: null, flow: anyFlow },
    liveness: 'head-turn',
    faceMatch: true,
  },
  'full-head-turn-local-mrz': {
    mrzReader: async () => ({ lines: PERSON_A_MRZ, confidence: 0.9 }),
    document: { back: null, flow: anyFlow },
    liveness: 'head-turn',
    faceMatch: true,
  },
  'full-face-liveness': {
    mrzReader: noMrz,
    document: { back: null, flow: anyFlow },
    liveness: 'face-liveness',
    faceMatch: true,
  },
  'document-only': { mrzReader: noMrz, document: { back: null, flow: anyFlow }, liveness: 'none', faceMatch: false },
  'full-us-driving-licence': {
    mrzReader: noMrz,
    document: {
      back: licenceBack,
      flow: { documentTypes: ['driving_licence'], issuingCountries: ['USA'], minimumAge: 21 },
    },
    liveness: 'head-turn',
    faceMatch: true,
  },
};

/** One verification the way the pipeline plan runs it: document -> liveness -> face match -> risk signals. */
async function runVerification(s: Scenario): Promise<Counts> {
  const { provider, rekognitionMock, textractMock } = mockedProvider({ mrzReader: s.mrzReader });
  textractMock.on(DetectDocumentTextCommand).resolves({ Blocks: textractBlocks(PERSON_A_MRZ) });
  textractMock.on(AnalyzeIDCommand).resolves({
    IdentityDocuments: [
      {
        DocumentIndex: 1,
        IdentityDocumentFields: [
          { Type: { Text: 'ID_TYPE' }, ValueDetection: { Text: 'DRIVER LICENSE FRONT', Confidence: 99 } },
          { Type: { Text: 'STATE_NAME' }, ValueDetection: { Text: 'MASSACHUSETTS', Confidence: 98 } },
          { Type: { Text: 'DOCUMENT_NUMBER' }, ValueDetection: { Text: '736HDV7874JSB', Confidence: 98 } },
          {
            Type: { Text: 'DATE_OF_BIRTH' },
            ValueDetection: {
              Text: '03/18/2001',
              NormalizedValue: { Value: '2001-03-18T00:00:00', ValueType: 'DATE' },
              Confidence: 98,
            },
          },
          {
            Type: { Text: 'EXPIRATION_DATE' },
            ValueDetection: {
              Text: '01/20/2028',
              NormalizedValue: { Value: '2028-01-20T00:00:00', ValueType: 'DATE' },
              Confidence: 98,
            },
          },
        ],
      },
    ],
  });
  rekognitionMock
    .on(DetectFacesCommand)
    .resolves({ FaceDetails: [faceDetail({ box: { Width: 0.22, Height: 0.36, Left: 0.1, Top: 0.22 } })] });
  frames.forEach((f, i) => {
    rekognitionMock
      .on(DetectFacesCommand, { Image: { Bytes: f.bytes } })
      .resolves({ FaceDetails: [faceDetail({ yaw: yaws[i] })] });
  });
  rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(97)] });
  rekognitionMock.on(SearchFacesByImageCommand).resolves({ FaceMatches: [] });
  rekognitionMock.on(IndexFacesCommand).resolves({ FaceRecords: [{ Face: { FaceId: 'face-1' } }] });
  rekognitionMock.on(CreateFaceLivenessSessionCommand).resolves({ SessionId: '2f4d6c8e-1a3b-4c5d-9e7f-0a1b2c3d4e5f' });
  rekognitionMock.on(GetFaceLivenessSessionResultsCommand).resolves({
    SessionId: '2f4d6c8e-1a3b-4c5d-9e7f-0a1b2c3d4e5f',
    Status: 'SUCCEEDED',
    Confidence: 97,
    ReferenceImage: { Bytes: selfie.bytes },
  });

  const flow = { thresholds };
  const doc = await provider.checkDocument({ front, today: TODAY, ...s.document });
  expect(doc.outcome).toBe('pass');
  let probe: ImageInput | null = null;
  if (s.liveness === 'head-turn') {
    expect((await provider.checkLiveness({ prompts: ['left', 'right', 'centre'], frames, selfie, flow })).outcome).toBe(
      'pass',
    );
    probe = selfie;
  } else if (s.liveness === 'face-liveness') {
    const { sessionId } = await provider.faceLivenessSessions.createFaceLivenessSession({
      clientRequestToken: 'vrf_cost-1',
    });
    const live = await provider.faceLivenessSessions.getFaceLivenessResult(sessionId);
    expect(live.result.outcome).toBe('pass');
    // As the pipeline's livenessCheck: the session's reference face must be the selfie's person.
    expect((await provider.checkFaceMatch({ reference: live.referenceImage!, probe: selfie, flow })).outcome).toBe(
      'pass',
    );
    probe = selfie;
  }
  if (s.faceMatch && probe) {
    expect(
      (
        await provider.checkFaceMatch({
          reference: { bytes: doc.portrait ?? Buffer.alloc(0), label: 'portrait' },
          probe,
          flow,
        })
      ).outcome,
    ).toBe('pass');
    await provider.faceIndex.searchDuplicates('org_cost', probe, { excludeVerificationId: 'vrf_cost' });
    await provider.faceIndex.indexFace('org_cost', 'vrf_cost', probe);
  }

  const analyzeCalls = textractMock.commandCalls(AnalyzeIDCommand);
  return {
    DetectFaces: rekognitionMock.commandCalls(DetectFacesCommand).length,
    CompareFaces: rekognitionMock.commandCalls(CompareFacesCommand).length,
    IndexFaces: rekognitionMock.commandCalls(IndexFacesCommand).length,
    SearchFacesByImage: rekognitionMock.commandCalls(SearchFacesByImageCommand).length,
    CreateFaceLivenessSession: rekognitionMock.commandCalls(CreateFaceLivenessSessionCommand).length,
    GetFaceLivenessSessionResults: rekognitionMock.commandCalls(GetFaceLivenessSessionResultsCommand).length,
    DetectDocumentText: textractMock.commandCalls(DetectDocumentTextCommand).length,
    AnalyzeID: analyzeCalls.length,
    TextractPages:
      textractMock.commandCalls(DetectDocumentTextCommand).length +
      analyzeCalls.reduce((n, c) => n + (c.args[0].input.DocumentPages?.length ?? 0), 0),
  };
}

describe('docs/cost.md matches the calls the AWS provider makes', () => {
  const doc = readFileSync(COST_DOC, 'utf8');
  const calls = docTable(doc, 'calls-per-verification');
  const prices = docTable(doc, 'ai-unit-prices');
  const subtotals = docTable(doc, 'ai-subtotals');

  it('documents exactly the scenarios this suite runs', () => {
    expect([...calls.keys()].sort()).toEqual(Object.keys(SCENARIOS).sort());
    expect([...subtotals.keys()].sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  it.each(Object.entries(SCENARIOS))('%s: SDK call counts equal the table', async (name, scenario) => {
    const row = calls.get(name);
    const stated = Object.fromEntries(COUNTED.map((k) => [k, Number(row?.[k])]));
    expect(await runVerification(scenario)).toEqual(stated);
  });

  it.each(Object.keys(SCENARIOS))('%s: the AI subtotal is the counts times the unit prices', (name) => {
    const row = calls.get(name) ?? {};
    const price = (api: string) => Number(prices.get(api)?.['USD per unit']);
    const billable: Array<[string, number]> = [
      ['DetectFaces', Number(row.DetectFaces)],
      ['CompareFaces', Number(row.CompareFaces)],
      ['IndexFaces', Number(row.IndexFaces)],
      ['SearchFacesByImage', Number(row.SearchFacesByImage)],
      ['Face Liveness check', Number(row.GetFaceLivenessSessionResults)],
      ['DetectDocumentText page', Number(row.DetectDocumentText)],
      ['AnalyzeID page', Number(row.TextractPages) - Number(row.DetectDocumentText)],
    ];
    for (const [api] of billable) expect(Number.isFinite(price(api))).toBe(true);
    const expected = billable.reduce((sum, [api, n]) => sum + n * price(api), 0);
    expect(Number(subtotals.get(name)?.['AI services USD'])).toBeCloseTo(expected, 6);
  });
});
