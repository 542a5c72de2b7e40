import { requiredCaptures, type AttemptCaptureRules } from '../../functions/domain/captures';

const rules = (over: Partial<AttemptCaptureRules> = {}): AttemptCaptureRules => ({
  steps: ['consent', 'document', 'selfie', 'liveness'],
  acceptedDocumentTypes: ['passport'],
  documentType: 'passport',
  challenge: ['left', 'centre', 'right'],
  faceLiveness: false,
  ...over,
});

describe('requiredCaptures', () => {
  it('a head-turn attempt needs one still per prompt and the continuous recording of the whole challenge', () => {
    expect(requiredCaptures(rules())).toEqual([
      { kind: 'document_front', index: 0 },
      { kind: 'selfie', index: 0 },
      { kind: 'liveness_frame', index: 0, prompt: 'left' },
      { kind: 'liveness_frame', index: 1, prompt: 'centre' },
      { kind: 'liveness_frame', index: 2, prompt: 'right' },
      { kind: 'liveness_sequence', index: 0 },
    ]);
  });

  it('a Face Liveness attempt needs the session instead of stills and recording', () => {
    expect(requiredCaptures(rules({ faceLiveness: true, challenge: null }))).toEqual([
      { kind: 'document_front', index: 0 },
      { kind: 'selfie', index: 0 },
      { kind: 'face_liveness_session' },
    ]);
  });

  it('no liveness step, no liveness capture; a back side when the chosen type has one', () => {
    expect(
      requiredCaptures(
        rules({
          steps: ['consent', 'document', 'selfie'],
          documentType: 'id_card',
          acceptedDocumentTypes: ['id_card'],
        }),
      ),
    ).toEqual([
      { kind: 'document_front', index: 0 },
      { kind: 'document_back', index: 0 },
      { kind: 'selfie', index: 0 },
    ]);
  });
});
