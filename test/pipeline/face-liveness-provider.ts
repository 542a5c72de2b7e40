import type { CheckResult, FaceLivenessSessionProvider, ImageInput } from '../../functions/ports/checks';
import { ScriptedProvider, checkResult } from './scripted-provider';

/** Reference image the scripted sessions return: text bytes, so tests can see where it went. */
export const REFERENCE_TEXT = 'face-liveness-reference';

/**
 * A scripted provider that also hosts Face Liveness sessions, like the AWS provider: sessions get
 * UUID-shaped ids, results are scripted per test (or throw, like a session still open).
 */
export class FaceLivenessScriptedProvider extends ScriptedProvider {
  created: string[] = [];
  readIds: string[] = [];
  sessionResult: CheckResult | Error = checkResult('liveness', {
    scores: { confidence: 97, threshold: 80 },
    provider: 'aws',
  });
  referenceImage: ImageInput | null = { bytes: Buffer.from(REFERENCE_TEXT), label: 'face_liveness_reference' };

  readonly faceLivenessSessions: FaceLivenessSessionProvider = {
    createFaceLivenessSession: async () => {
      const sessionId = `00000000-0000-4000-8000-${String(this.created.length + 1).padStart(12, '0')}`;
      this.created.push(sessionId);
      return { sessionId };
    },
    getFaceLivenessResult: async (sessionId) => {
      this.readIds.push(sessionId);
      if (this.sessionResult instanceof Error) throw this.sessionResult;
      return { result: this.sessionResult, referenceImage: this.referenceImage };
    },
  };
}
