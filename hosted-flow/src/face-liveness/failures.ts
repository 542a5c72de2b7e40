/** Why the check stopped without a result, as the page explains it. */
export type FaceLivenessFailure =
  | 'camera' // no camera, permission refused, or a camera below the minimum specification
  | 'timeout' // the face did not fit the oval in time
  | 'face' // several faces, or moving closer while connecting
  | 'landscape' // phone held sideways
  | 'connection' // streaming endpoint unreachable or timed out
  | 'server' // Rekognition refused or failed the stream
  | 'runtime'; // anything else in the browser

/** Maps the component's error states onto the page's failure screens. */
export function failureOf(state: string): FaceLivenessFailure {
  switch (state) {
    case 'CAMERA_ACCESS_ERROR':
    case 'CAMERA_FRAMERATE_ERROR':
    case 'DEFAULT_CAMERA_NOT_FOUND_ERROR':
      return 'camera';
    case 'TIMEOUT':
    case 'FRESHNESS_TIMEOUT':
      return 'timeout';
    case 'FACE_DISTANCE_ERROR':
    case 'MULTIPLE_FACES_ERROR':
      return 'face';
    case 'MOBILE_LANDSCAPE_ERROR':
      return 'landscape';
    case 'CONNECTION_TIMEOUT':
      return 'connection';
    case 'SERVER_ERROR':
      return 'server';
    default:
      return 'runtime';
  }
}
