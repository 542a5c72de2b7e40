import type { Flow } from '../../domain/model';
import type { AppConfig } from '../deps';

/**
 * How the applicant proves liveness: `challenge` (head-turn frames, both runtimes) or `face_liveness`
 * (a Rekognition Face Liveness session the browser streams to: a flow with `useFaceLivenessSession` on a
 * deployment with Face Liveness configured, i.e. the AWS runtime given the stack's identity pool). The
 * local runtime has no such setting, so it always uses the challenge.
 */
export type LivenessMode = 'challenge' | 'face_liveness';

/** The flow's liveness mode on this runtime, or null when the flow has no liveness check. */
export function livenessModeOf(
  flow: Pick<Flow, 'checks' | 'useFaceLivenessSession'>,
  config: Pick<AppConfig, 'faceLiveness'>,
): LivenessMode | null {
  if (!flow.checks.includes('liveness')) return null;
  return flow.useFaceLivenessSession && config.faceLiveness ? 'face_liveness' : 'challenge';
}
