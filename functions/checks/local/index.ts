/** Offline (local) check provider: see provider.ts. */
export { createLocalCheckProvider, LocalCheckProvider } from './provider';
export { DEFAULT_LOCAL_OPTIONS, type LocalCheckOptions } from './options';
export { clearFaceAnalysisCache } from './face-cache';
