import type { LivenessMode } from '../../domain/captures';
import type { Flow } from '../../domain/model';
import type { AppConfig } from '../deps';

/**
 * The flow's liveness mode on this runtime, or null when the flow has no liveness check. `face_liveness`
 * needs a flow with `useFaceLivenessSession` on a deployment with Face Liveness configured, i.e. the AWS
 * runtime given the stack's identity pool. The local runtime has no such setting, so it always uses the
 * challenge.
 */
export function livenessModeOf(
  flow: Pick<Flow, 'checks' | 'useFaceLivenessSession'>,
  config: Pick<AppConfig, 'faceLiveness'>,
): LivenessMode | null {
  if (!flow.checks.includes('liveness')) return null;
  return flow.useFaceLivenessSession && config.faceLiveness ? 'face_liveness' : 'challenge';
}
