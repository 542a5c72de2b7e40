import { FaceLivenessDetectorCore, type FaceLivenessDetectorCoreProps } from '@aws-amplify/ui-react-liveness';
import '@aws-amplify/ui-react-liveness/styles.css';
import { createContext, createElement, useContext } from 'react';
import { createRoot } from 'react-dom/client';
import { livenessDisplayText } from './display-text';
import { failureOf, type FaceLivenessFailure } from './failures';
import type { GuestCredentials } from './guest-credentials';

/**
 * AWS's Face Liveness video check (the Amplify UI component, which is React) mounted as an island inside
 * the Preact page. This module is its own lazily loaded chunk: React, the component and its streaming
 * client load only when a Face Liveness step starts. Every file it needs comes from the page's origin
 * (face-detection model under /v/liveness/, tfjs wasm under /v/tfjs/) so the CSP keeps `connect-src` to
 * the page, Rekognition streaming and Cognito.
 */

export interface FaceLivenessIslandOptions {
  sessionId: string;
  region: string;
  /** Server time minus device time: keeps the stream's signature valid on a device with a wrong clock. */
  clockOffsetMs: number;
  locale: string;
  credentials: () => Promise<GuestCredentials>;
  /** The video was streamed and Rekognition closed the session: the verdict is ready server-side. */
  onComplete: () => void;
  onFailure: (failure: FaceLivenessFailure) => void;
  onCancel: () => void;
}

const ASSET_BASE = '/v/';

type LivenessText = ReturnType<typeof livenessDisplayText>;

/** The page's strings, handed to the warning below (the component renders it without props). */
const DisplayText = createContext<LivenessText>(livenessDisplayText('en'));

/** Mounts the component into `host`; returns the function that unmounts it. */
export function mountFaceLiveness(host: HTMLElement, options: FaceLivenessIslandOptions): () => void {
  const origin = window.location.origin;
  const displayText = livenessDisplayText(options.locale);
  const props: FaceLivenessDetectorCoreProps = {
    sessionId: options.sessionId,
    region: options.region,
    disableStartScreen: false,
    displayText,
    components: { PhotosensitiveWarning: PhotosensitivityWarning },
    config: {
      credentialProvider: options.credentials,
      faceModelUrl: `${origin}${ASSET_BASE}liveness/facemesh-detection-short.json`,
      binaryPath: `${origin}${ASSET_BASE}tfjs/`,
      systemClockOffset: options.clockOffsetMs,
    },
    onAnalysisComplete: async () => options.onComplete(),
    onError: (error) => options.onFailure(failureOf(error.state)),
    onUserCancel: () => options.onCancel(),
  };
  const root = createRoot(host);
  root.render(
    createElement(DisplayText.Provider, { value: displayText }, createElement(FaceLivenessDetectorCore, props)),
  );
  return () => root.unmount();
}

/**
 * The photosensitivity warning shown before a colour-flashing check, replacing the component's own: that
 * one hides the explanation behind a button with role="alertdialog" (axe: aria-allowed-role). Here the
 * whole warning is plain text, read in order.
 */
function PhotosensitivityWarning() {
  const text = useContext(DisplayText);
  return createElement(
    'div',
    { className: 'photosensitivity-warning', 'data-photosensitivity-warning': 'true' },
    createElement(
      'p',
      { className: 'photosensitivity-heading' },
      createElement('strong', null, text.photosensitivityWarningHeadingText),
    ),
    createElement('p', null, text.photosensitivityWarningBodyText),
    createElement('p', { className: 'photosensitivity-info' }, text.photosensitivityWarningInfoText),
  );
}
