import { DetectFacesCommand } from '@aws-sdk/client-rekognition';
import {
  AnalyzeIDCommand,
  type AnalyzeIDCommandOutput,
  DetectDocumentTextCommand,
  ThrottlingException,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import 'aws-sdk-client-mock-jest';
import sharp from 'sharp';
import type { DocumentCheckInput } from '../../functions/ports/checks';
import type { AwsImageInput } from '../../functions/checks/aws';
import { PERSON_A_MRZ, TODAY, faceDetail, mockedProvider, td3, testImage, textractBlocks } from './aws-fixtures';

const front = { bytes: testImage('documents/synth_td3_uto_person_a.jpg'), label: 'document_front' };
const openFlow: DocumentCheckInput['flow'] = { documentTypes: [], issuingCountries: [], minimumAge: null };
const input = (over: Partial<DocumentCheckInput> = {}): DocumentCheckInput => ({
  front,
  back: null,
  flow: openFlow,
  today: TODAY,
  ...over,
});

/** Portrait box of the person_a synthetic passport, as DetectFaces would report it (ratios of the page). */
const portraitBox = { Width: 0.22, Height: 0.36, Left: 0.1, Top: 0.22 };

describe('AWS document check', () => {
  it('approves a passport whose MRZ Textract reads, and crops the largest face as the portrait', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock
      .on(DetectDocumentTextCommand)
      .resolves({ DocumentMetadata: { Pages: 1 }, Blocks: textractBlocks(PERSON_A_MRZ) });
    rekognitionMock.on(DetectFacesCommand).resolves({
      FaceDetails: [
        faceDetail({ box: { Width: 0.05, Height: 0.08, Left: 0.8, Top: 0.1 } }),
        faceDetail({ box: portraitBox }),
      ],
    });

    const res = await provider.checkDocument(
      input({ flow: { documentTypes: ['passport'], issuingCountries: ['UTO'], minimumAge: 18 } }),
    );

    expect(res).toMatchObject({
      check: 'document',
      provider: 'aws',
      outcome: 'pass',
      reasonCodes: [],
      riskFlags: ['SPECIMEN_DOCUMENT'],
    });
    expect(res.fields).toMatchObject({
      documentType: 'passport',
      mrzFormat: 'TD3',
      issuingCountry: 'UTO',
      documentNumber: 'H5D8K2L73',
      surname: 'SPECIMEN',
      givenNames: 'PAULA',
      birthDate: '1988-06-11',
      expiryDate: '2034-06-10',
      sex: 'F',
    });
    expect(res.extracted).toMatchObject({ source: 'textract-detect-text', portraitFound: true });
    expect(res.scores).toMatchObject({ checkDigitsValid: 5, checkDigitsTotal: 5 });
    // Bytes, not S3, when the capture has no S3 location.
    expect(textractMock).toHaveReceivedCommandWith(DetectDocumentTextCommand, { Document: { Bytes: front.bytes } });
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectFacesCommand, {
      Image: { Bytes: front.bytes },
      Attributes: ['DEFAULT'],
    });
    // The crop is the largest face grown by 25 % per side: about 0.33 x 0.54 of the page.
    const page = await sharp(front.bytes).metadata();
    const crop = await sharp(res.portrait ?? Buffer.alloc(0)).metadata();
    expect(crop.format).toBe('jpeg');
    expect(Math.abs((crop.width ?? 0) - 0.33 * (page.width ?? 0))).toBeLessThan(4);
    expect(Math.abs((crop.height ?? 0) - 0.54 * (page.height ?? 0))).toBeLessThan(4);
    expect(res.timings.map((t) => t.step)).toEqual(
      expect.arrayContaining([
        'mrz-reader document_front',
        'textract:DetectDocumentText document_front',
        'rekognition:DetectFaces document_front',
      ]),
    );
  });

  it('uses the local MRZ reader first and skips Textract when it reads a valid MRZ', async () => {
    const seen: Buffer[] = [];
    const { provider, rekognitionMock, textractMock } = mockedProvider({
      mrzReader: async (image) => {
        seen.push(image);
        return { lines: PERSON_A_MRZ, confidence: 0.93 };
      },
    });
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(input());
    expect(res.outcome).toBe('pass');
    expect(res.extracted).toMatchObject({ source: 'mrz-reader' });
    expect(seen).toEqual([front.bytes]);
    expect(textractMock.calls()).toHaveLength(0);
  });

  it('falls back to Textract when the local MRZ engine throws', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider({
      mrzReader: async () => {
        throw new Error('onnxruntime session failed');
      },
    });
    textractMock.on(DetectDocumentTextCommand).resolves({ Blocks: textractBlocks(PERSON_A_MRZ) });
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(input());
    expect(res).toMatchObject({ outcome: 'pass', extracted: { source: 'textract-detect-text' } });
  });

  it('sends S3Object to Textract and Rekognition when the capture carries its S3 location', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock.on(DetectDocumentTextCommand).resolves({ Blocks: textractBlocks(PERSON_A_MRZ) });
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const s3Front: AwsImageInput = { ...front, s3: { bucket: 'kyc-captures', key: 'captures/vrf_1/1/document_front' } };
    const res = await provider.checkDocument(input({ front: s3Front }));
    expect(res.outcome).toBe('pass');
    expect(textractMock).toHaveReceivedCommandWith(DetectDocumentTextCommand, {
      Document: { S3Object: { Bucket: 'kyc-captures', Name: 'captures/vrf_1/1/document_front' } },
    });
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectFacesCommand, {
      Image: { S3Object: { Bucket: 'kyc-captures', Name: 'captures/vrf_1/1/document_front' } },
    });
    const sent = textractMock.commandCalls(DetectDocumentTextCommand)[0]?.args[0].input.Document;
    expect(sent?.Bytes).toBeUndefined();
  });

  it('reads a TD1 card MRZ from the back when the front has none', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    const back = { bytes: testImage('documents/td1_deu_mustermann_back.jpg'), label: 'document_back' };
    textractMock
      .on(DetectDocumentTextCommand, { Document: { Bytes: front.bytes } })
      .resolves({ Blocks: textractBlocks([]) })
      .on(DetectDocumentTextCommand, { Document: { Bytes: back.bytes } })
      .resolves({
        Blocks: textractBlocks([
          'IDD<<T220001293<<<<<<<<<<<<<<<',
          '6408125<2010315D<<<<<<<<<<<<<4',
          'MUSTERMANN<<ERIKA<<<<<<<<<<<<<',
        ]),
      });
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(
      input({ back, flow: { documentTypes: ['id_card'], issuingCountries: ['DEU'], minimumAge: null } }),
    );
    expect(textractMock).toHaveReceivedCommandTimes(DetectDocumentTextCommand, 2);
    expect(res.fields).toMatchObject({ documentType: 'id_card', issuingCountry: 'DEU', mrzFormat: 'TD1' });
    // Expired in 2020.
    expect(res.reasonCodes).toEqual(['EXPIRATION_DATE']);
    expect(res.outcome).toBe('fail');
  });

  it.each([
    ['EXPIRATION_DATE', td3({ birth: '880611', expiry: '250101' }), openFlow],
    ['UNDERAGE', td3({ birth: '100315', expiry: '340610' }), { ...openFlow, minimumAge: 18 }],
    [
      'DOCUMENT_TYPE_NOT_ACCEPTED',
      td3({ birth: '880611', expiry: '340610' }),
      { ...openFlow, documentTypes: ['driving_licence' as const] },
    ],
    [
      'COUNTRY_NOT_ACCEPTED',
      td3({ country: 'FRA', birth: '880611', expiry: '340610' }),
      { ...openFlow, issuingCountries: ['DEU', 'UTO'] },
    ],
    [
      'MRZ_CHECK_DIGIT_FAILED',
      [PERSON_A_MRZ[0] ?? '', (PERSON_A_MRZ[1] ?? '').replace('H5D8K2L736', 'H5D8K2L737')],
      openFlow,
    ],
  ])('declines with %s', async (code, mrz, flow) => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock.on(DetectDocumentTextCommand).resolves({ Blocks: textractBlocks(mrz) });
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(input({ flow }));
    expect(res.reasonCodes).toEqual([code]);
    expect(res.outcome).toBe('fail');
  });

  it('is DOCUMENT_UNREADABLE without an MRZ when the flow excludes the US (no AnalyzeID, no portrait search)', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock.on(DetectDocumentTextCommand).resolves({ Blocks: textractBlocks(['a blurry photo']) });
    const res = await provider.checkDocument(input({ flow: { ...openFlow, issuingCountries: ['FRA'] } }));
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['DOCUMENT_UNREADABLE'], fields: null, portrait: null });
    expect(textractMock).not.toHaveReceivedCommand(AnalyzeIDCommand);
    expect(rekognitionMock).not.toHaveReceivedCommand(DetectFacesCommand);
  });

  it('rejects an MRZ whose unprotected fields are implausible (state misread UTO -> OTO) instead of trusting it', async () => {
    const { provider, textractMock } = mockedProvider();
    const misread = [PERSON_A_MRZ[0]!.replace('P<UTO', 'P<OTO'), PERSON_A_MRZ[1]!.replace('UTO88', 'OTO88')];
    textractMock.on(DetectDocumentTextCommand).resolves({ Blocks: textractBlocks(misread) });
    const res = await provider.checkDocument(input({ flow: { ...openFlow, issuingCountries: ['UTO', 'FRA'] } }));
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['DOCUMENT_UNREADABLE'], fields: null });
  });

  it('treats a document Textract cannot open as unreadable rather than an error', async () => {
    const { provider, textractMock } = mockedProvider();
    textractMock
      .on(DetectDocumentTextCommand)
      .rejects(new UnsupportedDocumentException({ message: 'Request has unsupported document format', $metadata: {} }));
    const res = await provider.checkDocument(input({ flow: { ...openFlow, issuingCountries: ['UTO'] } }));
    expect(res.reasonCodes).toEqual(['DOCUMENT_UNREADABLE']);
  });

  it('lets throttling propagate so the pipeline retries the step', async () => {
    const { provider, textractMock } = mockedProvider();
    textractMock
      .on(DetectDocumentTextCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(provider.checkDocument(input())).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('AWS document check, US documents (Textract AnalyzeID)', () => {
  // Field shapes as in the Textract guide's AnalyzeID example (Massachusetts sample licence, Maria Garcia).
  const analyzeIdResponse = (confidence = 97.5): Omit<AnalyzeIDCommandOutput, '$metadata'> => ({
    DocumentMetadata: { Pages: 2 },
    AnalyzeIDModelVersion: '1.0',
    IdentityDocuments: [
      {
        DocumentIndex: 1,
        IdentityDocumentFields: [
          { Type: { Text: 'FIRST_NAME' }, ValueDetection: { Text: 'MARIA', Confidence: 98.9 } },
          { Type: { Text: 'LAST_NAME' }, ValueDetection: { Text: 'GARCIA', Confidence: 98.7 } },
          { Type: { Text: 'MIDDLE_NAME' }, ValueDetection: { Text: '', Confidence: 99.1 } },
          { Type: { Text: 'DOCUMENT_NUMBER' }, ValueDetection: { Text: '736HDV7874JSB', Confidence: confidence } },
          {
            Type: { Text: 'EXPIRATION_DATE' },
            ValueDetection: {
              Text: '01/20/2028',
              NormalizedValue: { Value: '2028-01-20T00:00:00', ValueType: 'DATE' },
              Confidence: 97.9,
            },
          },
          {
            Type: { Text: 'DATE_OF_BIRTH' },
            ValueDetection: {
              Text: '03/18/2001',
              NormalizedValue: { Value: '2001-03-18T00:00:00', ValueType: 'DATE' },
              Confidence: 98.2,
            },
          },
          { Type: { Text: 'STATE_NAME' }, ValueDetection: { Text: 'MASSACHUSETTS', Confidence: 98.0 } },
          { Type: { Text: 'ID_TYPE' }, ValueDetection: { Text: 'DRIVER LICENSE FRONT', Confidence: 99.0 } },
        ],
      },
      {
        DocumentIndex: 2,
        IdentityDocumentFields: [
          { Type: { Text: 'DOCUMENT_NUMBER' }, ValueDetection: { Text: '736HDV7874JS8', Confidence: 60.2 } },
        ],
      },
    ],
  });
  const back = { bytes: testImage('documents/td1_che_specimen_back.jpg'), label: 'document_back' };
  const usFlow = { documentTypes: ['driving_licence' as const], issuingCountries: ['USA'], minimumAge: 21 };

  it('maps a US driver licence and skips DetectDocumentText in a US-only flow', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock.on(AnalyzeIDCommand).resolves(analyzeIdResponse());
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(input({ back, flow: usFlow }));
    expect(textractMock).not.toHaveReceivedCommand(DetectDocumentTextCommand);
    expect(textractMock).toHaveReceivedCommandWith(AnalyzeIDCommand, {
      DocumentPages: [{ Bytes: front.bytes }, { Bytes: back.bytes }],
    });
    expect(res.fields).toMatchObject({
      documentType: 'driving_licence',
      issuingCountry: 'USA',
      documentNumber: '736HDV7874JSB',
      surname: 'GARCIA',
      givenNames: 'MARIA',
      birthDate: '2001-03-18',
      expiryDate: '2028-01-20',
      mrzFormat: null,
      checkDigits: {},
    });
    expect(res.extracted).toMatchObject({ source: 'textract-analyze-id', fieldConfidences: { DOCUMENT_NUMBER: 97.5 } });
    expect(res).toMatchObject({ outcome: 'pass', reasonCodes: [] });
  });

  it('falls back to AnalyzeID after no MRZ was found when the flow also accepts the US', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock
      .on(DetectDocumentTextCommand)
      .resolves({ Blocks: textractBlocks(['DRIVER LICENSE', 'MASSACHUSETTS']) });
    textractMock.on(AnalyzeIDCommand).resolves(analyzeIdResponse());
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(
      input({ flow: { documentTypes: [], issuingCountries: ['USA', 'CAN'], minimumAge: null } }),
    );
    expect(textractMock).toHaveReceivedCommandTimes(DetectDocumentTextCommand, 1);
    expect(textractMock).toHaveReceivedCommandTimes(AnalyzeIDCommand, 1);
    expect(res.outcome).toBe('pass');
  });

  it('does not take a card without a US state for a US document', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    const response = analyzeIdResponse();
    const [first] = response.IdentityDocuments ?? [];
    if (first)
      first.IdentityDocumentFields = first.IdentityDocumentFields?.filter((f) => f.Type?.Text !== 'STATE_NAME');
    textractMock.on(AnalyzeIDCommand).resolves(response);
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(input({ flow: usFlow }));
    expect(res.fields?.issuingCountry).toBeNull();
    expect(res.reasonCodes).toEqual(['COUNTRY_NOT_ACCEPTED']);
  });

  it('takes the issuing country and check digits from a passport MRZ_CODE', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    const mrz = td3({ country: 'FRA', surname: 'DUPONT', given: 'JEANNE', birth: '900101', expiry: '300101' });
    textractMock.on(AnalyzeIDCommand).resolves({
      IdentityDocuments: [
        {
          DocumentIndex: 1,
          IdentityDocumentFields: [
            { Type: { Text: 'ID_TYPE' }, ValueDetection: { Text: 'PASSPORT', Confidence: 99 } },
            { Type: { Text: 'DOCUMENT_NUMBER' }, ValueDetection: { Text: 'X12345678', Confidence: 99 } },
            {
              Type: { Text: 'DATE_OF_BIRTH' },
              ValueDetection: {
                Text: '1 JAN 1990',
                NormalizedValue: { Value: '1990-01-01T00:00:00', ValueType: 'DATE' },
                Confidence: 99,
              },
            },
            {
              Type: { Text: 'EXPIRATION_DATE' },
              ValueDetection: {
                Text: '1 JAN 2030',
                NormalizedValue: { Value: '2030-01-01T00:00:00', ValueType: 'DATE' },
                Confidence: 99,
              },
            },
            { Type: { Text: 'MRZ_CODE' }, ValueDetection: { Text: mrz.join('\n'), Confidence: 97 } },
          ],
        },
      ],
    });
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(
      input({ flow: { documentTypes: [], issuingCountries: ['USA'], minimumAge: null } }),
    );
    expect(res.fields).toMatchObject({
      documentType: 'passport',
      issuingCountry: 'FRA',
      mrzFormat: 'TD3',
      nationality: 'FRA',
      sex: 'F',
    });
    expect(Object.values(res.fields?.checkDigits ?? {})).toEqual([true, true, true, true, true]);
    expect(res.reasonCodes).toEqual(['COUNTRY_NOT_ACCEPTED']);
  });

  it('raises UNDERAGE from the AnalyzeID birth date', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock.on(AnalyzeIDCommand).resolves(analyzeIdResponse());
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(input({ flow: usFlow, today: '2022-03-17' }));
    expect(res.reasonCodes).toEqual(['UNDERAGE']);
  });

  it('is DOCUMENT_UNREADABLE when a critical field is below the confidence floor', async () => {
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock.on(AnalyzeIDCommand).resolves(analyzeIdResponse(41.0));
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ box: portraitBox })] });
    const res = await provider.checkDocument(input({ flow: usFlow }));
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['DOCUMENT_UNREADABLE'] });
    // Each field comes from the page where Textract was most confident: here the back's misread at 60.2.
    expect(res.fields?.documentNumber).toBe('736HDV7874JS8');
    expect(res.scores.minFieldConfidence).toBe(60.2);
  });
});
