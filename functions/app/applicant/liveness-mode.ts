import type { Flow } from '../../domain/model';
import type { AppConfig } from '../deps';

/**
 * How the applicant proves liveness: `challenge` (head-turn frames, both runtimes) or `face_liveness`
 * (a Rekognition Face Liveness session the browser streams to; AWS runtime with the identity pool configured
 * and a flow with `useFaceLivenessSession`). The local runtime always uses the challenge.
 */
export type LivenessMode = 'challenge' | 'face_liveness';

/** The flow's liveness mode on this runtime, or null when the flow has no liveness check. */
export function livenessModeOf(flow: Pick<Flow, 'checks' | 'useFaceLivenessSession'>, config: Pick<AppConfig, 'runtime' | 'faceLiveness'>): LivenessMode | null {
  if (!flow.checks.includes('liveness')) return null;
  return flow.useFaceLivenessSession && config.runtime === 'aws' && config.faceLiveness ? 'face_liveness' : 'challenge';
}
