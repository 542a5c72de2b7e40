/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { createLocalCheckProvider } from '../../functions/checks/local';
import { isReasonCode } from '../../functions/domain/reason-codes';
import { isRiskFlag } from '../../functions/domain/risk-flags';
import type { DocumentCheckInput, DocumentCheckResult } from '../../functions/ports/checks';
import sharp from 'sharp';
import { DEFAULT_FLOW, image, readJson, TimingLog, type DocumentLabel, type Labels } from './testdata';

/**
 * Document check on every MRZ document of the shared test set: each is either read EXACTLY (MRZ lines equal
 * the ground truth, all check digits valid, fields consistent with the lines) or rejected with a reason code.
 * Never silently wrong.
 */
const provider = createLocalCheckProvider();
const labels = readJson<Labels>('labels.json');
const timings = new TimingLog();
const TODAY = '2026-11-29';
const flow: DocumentCheckInput['flow'] = { documentTypes: [], issuingCountries: [], minimumAge: null };
const results = new Map<string, DocumentCheckResult>();

function check(
  front: string,
  back: string | null = null,
  overrides: Partial<DocumentCheckInput> = {},
): Promise<DocumentCheckResult> {
  return timings.time('checkDocument', () =>
    provider.checkDocument({ front: image(front), back: back ? image(back) : null, flow, today: TODAY, ...overrides }),
  );
}

beforeAll(async () => {
  await timings.time('warmUp', () => provider.warmUp());
  for (const doc of labels.documents) results.set(doc.file, await check(doc.file));
}, 150_000);

/** A read that validated: fields parsed (documentNumber set). */
function validated(result: DocumentCheckResult | undefined): boolean {
  return !!result?.fields?.documentNumber;
}

afterAll(() => {
  const exact = labels.documents.filter(
    (d) => validated(results.get(d.file)) && results.get(d.file)?.fields?.mrzLines?.join('\n') === d.mrz.join('\n'),
  );
  // eslint-disable-next-line no-console
  console.log(
    `MRZ read exactly: ${exact.length}/${labels.documents.length}; rejected: ${
      labels.documents
        .filter((d) => !exact.includes(d))
        .map((d) => `${d.file} (${results.get(d.file)?.reasonCodes.join(',')})`)
        .join('; ') || 'none'
    }`,
  );
  timings.print('document');
});

/** Expected values straight from the ground-truth MRZ lines (fixed positions, ICAO 9303). */
function expectedCodes(doc: DocumentLabel): { issuingCountry: string; documentType: string } {
  const line1 = doc.mrz[0] ?? '';
  const country = line1.slice(2, 5).replace(/</g, '');
  // ICAO lets Germany write D; fields carry the 3-letter code flows list.
  return {
    issuingCountry: country === 'D' ? 'DEU' : country,
    documentType: line1.startsWith('P') ? 'passport' : 'id_card',
  };
}

describe('MRZ documents of the test set', () => {
  it('reads each document exactly or rejects it with a reason code (never silently wrong)', () => {
    const silentlyWrong: string[] = [];
    let exact = 0;
    for (const doc of labels.documents) {
      const result = results.get(doc.file) as DocumentCheckResult;
      const ok = validated(result);
      if (ok && result.fields?.mrzLines?.join('\n') !== doc.mrz.join('\n'))
        silentlyWrong.push(`${doc.file}: ${result.fields?.mrzLines?.join(' / ')}`);
      if (!ok) {
        expect(result.outcome).toBe('fail');
        expect(result.reasonCodes.some((c) => c === 'DOCUMENT_UNREADABLE' || c === 'MRZ_CHECK_DIGIT_FAILED')).toBe(
          true,
        );
      } else exact++;
    }
    expect(silentlyWrong).toEqual([]);
    // The reader is expected to get most of the set; a drop here is a regression worth a look.
    expect(exact).toBeGreaterThanOrEqual(10);
  });

  it('fills the fields consistently with the MRZ of every document it read', () => {
    for (const doc of labels.documents) {
      const result = results.get(doc.file) as DocumentCheckResult;
      const fields = result.fields;
      if (!fields?.documentNumber) continue;
      expect(fields.mrzFormat).toBe(doc.type);
      expect(fields).toMatchObject(expectedCodes(doc));
      expect(Object.values(fields.checkDigits).every(Boolean)).toBe(true);
      expect(fields.birthDate).toMatch(/^(19|20)\d\d-\d\d-\d\d$/);
      expect(fields.birthDate! < TODAY).toBe(true);
      expect(fields.expiryDate).toMatch(/^20\d\d-\d\d-\d\d$/);
      expect(result.extracted.fields).toEqual(fields);
      for (const code of result.reasonCodes) expect(isReasonCode(code)).toBe(true);
      for (const flag of result.riskFlags) expect(isRiskFlag(flag)).toBe(true);
    }
  });

  it('parses the ICAO Utopia passport into the expected fields and flags it as a specimen', () => {
    const result = results.get('documents/td3_uto_eriksson.jpg') as DocumentCheckResult;
    expect(result.fields).toMatchObject({
      documentType: 'passport',
      mrzFormat: 'TD3',
      issuingCountry: 'UTO',
      documentNumber: 'L898902C3',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      expiryDate: '2012-04-15',
      sex: 'F',
    });
    expect(result.fields?.checkDigits).toEqual({
      documentNumber: true,
      birthDate: true,
      expiryDate: true,
      optional: true,
      composite: true,
    });
    expect(result.reasonCodes).toEqual(['EXPIRATION_DATE']);
    expect(result.riskFlags).toEqual(['SPECIMEN_DOCUMENT']);
  });

  it('crops a decodable portrait from documents with a holder photo and none from card backs', async () => {
    for (const doc of labels.documents) {
      const portrait = results.get(doc.file)?.portrait ?? null;
      if (!doc.portrait) {
        expect({ file: doc.file, portrait }).toEqual({ file: doc.file, portrait: null });
        continue;
      }
      expect(portrait).not.toBeNull();
      const meta = await sharp(portrait as Buffer).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width).toBeGreaterThan(40);
    }
  });

  it('uses the portrait crop as a face-match reference for the same holder', async () => {
    const portrait = results.get('documents/synth_td3_uto_person_a.jpg')?.portrait;
    if (!portrait) throw new Error('no portrait');
    const match = await provider.checkFaceMatch({
      reference: { bytes: portrait, label: 'portrait' },
      probe: image('liveness/person_a/frame_019.jpg'),
      flow: { thresholds: DEFAULT_FLOW.thresholds },
    });
    expect(match.outcome).toBe('pass');
  });
});

describe('flow rules end to end', () => {
  const personA = 'documents/synth_td3_uto_person_a.jpg'; // born 1988-06-11, expires 2034-06-10, UTO passport

  it('passes a valid, unexpired synthetic passport (with the specimen risk flag only)', () => {
    const result = results.get(personA) as DocumentCheckResult;
    expect(result.outcome).toBe('pass');
    expect(result.reasonCodes).toEqual([]);
    expect(result.riskFlags).toEqual(['SPECIMEN_DOCUMENT']);
    expect(result.fields).toMatchObject({
      surname: 'SPECIMEN',
      givenNames: 'PAULA',
      birthDate: '1988-06-11',
      expiryDate: '2034-06-10',
    });
    expect(result.timings.map((t) => t.step)).toEqual(expect.arrayContaining(['decode', 'ocr', 'portrait']));
  });

  it('applies expiry and minimum age against the given day end to end', async () => {
    const expired = await check(personA, null, { today: '2034-06-11', flow: { ...flow, minimumAge: 50 } });
    expect(expired.outcome).toBe('fail');
    expect(expired.reasonCodes.sort()).toEqual(['EXPIRATION_DATE', 'UNDERAGE']);
    expect(expired.fields?.surname).toBe('SPECIMEN');
  });

  it('reads a TD1 MRZ from the back image when the front has none', async () => {
    const result = await check('faces/london_042_neutral.jpg', 'documents/td1_che_specimen_back.jpg');
    const expected = labels.documents.find((d) => d.file === 'documents/td1_che_specimen_back.jpg') as DocumentLabel;
    if (result.fields?.documentNumber) expect(result.fields.mrzLines).toEqual(expected.mrz);
    else expect(result.reasonCodes.length).toBeGreaterThan(0);
    expect(result.extracted.mrzAttempts).toEqual([
      { image: 'back', result: result.fields?.documentNumber ? 'read' : expect.any(String) },
    ]);
    // The portrait comes from the front image.
    expect(result.portrait).not.toBeNull();
  });

  it('rejects an image without MRZ as DOCUMENT_UNREADABLE', async () => {
    const result = await check('faces/noface_road.jpg');
    expect(result).toMatchObject({
      outcome: 'fail',
      reasonCodes: ['DOCUMENT_UNREADABLE'],
      fields: null,
      portrait: null,
    });
  });

  it('rejects bytes that are not an image as DOCUMENT_UNREADABLE', async () => {
    const result = await provider.checkDocument({
      front: { bytes: Buffer.from('nope'), label: 'junk' },
      back: null,
      flow,
      today: TODAY,
    });
    expect(result.reasonCodes).toEqual(['DOCUMENT_UNREADABLE']);
  });
});
