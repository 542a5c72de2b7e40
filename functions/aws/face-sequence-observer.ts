import type { SequenceObserver } from '../checks/face-sequence/sequence-verdict';

// Required on first use, not imported: sharp and tfjs then load only in the liveness task, not at every cold start.
const loadObserver = () =>
  require('../checks/local/liveness-sequence') as typeof import('../checks/local/liveness-sequence');
const loadModels = () => require('../checks/local/face-models') as typeof import('../checks/local/face-models');

/**
 * The liveness recording's judge in the pipeline Lambda: the same face-api observer as the local provider
 * (tiny detector and landmarks on every frame, full recognition on a few), on the Lambda's own CPU, with the
 * weights, wasm binaries and onnxruntime (for the nets' layers) its asset ships (lib/pipeline.ts). The models load once per container; the first
 * judgement reports that load as its `face_models_load` timing (the cold start of the check).
 */
export function faceApiSequenceObserver(): SequenceObserver {
  let observer: SequenceObserver | null = null;
  let modelsReady = false;
  return {
    async judge(input, timings) {
      observer ??= loadObserver().createFaceApiSequenceObserver();
      if (!modelsReady) {
        const started = performance.now();
        await loadModels().faceModels();
        timings.push({ step: 'face_models_load', ms: Math.round(performance.now() - started) });
        modelsReady = true;
      }
      return observer.judge(input, timings);
    },
  };
}
