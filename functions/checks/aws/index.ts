/** AWS check provider (Rekognition + Textract) and its AWS-only operations. */
export { createAwsCheckProvider } from './provider';
export type { AwsCheckProvider, AwsCheckProviderDeps } from './provider';
export { DEFAULT_AWS_CHECK_OPTIONS } from './options';
export type { AwsCheckOptions } from './options';
export { createFaceLivenessSessions, FaceLivenessNotReadyError } from './face-liveness-session';
export type { FaceLivenessOutcome, FaceLivenessSessionOptions, FaceLivenessSessions } from './face-liveness-session';
export { createFaceCollection } from './face-collection';
export type { DuplicateFaceMatch, FaceCollection, FaceCollectionOptions } from './face-collection';
export type { AwsImageInput, S3ObjectRef } from './images';
export type { MrzRead, MrzReader } from './mrz-reader';
