/**
 * The verify link is `/v/<id>?token=<clientToken>`. The token is moved out of the address bar at once
 * (history.replaceState) so it does not linger in history, screenshots or shared URLs, and kept in
 * sessionStorage for reloads of this tab. It is never logged.
 */

import qrcode from 'qrcode-generator';

const STORAGE_PREFIX = 'kyc.clientToken.';

export interface VerifyLink {
  verificationId: string;
  token: string | null;
}

/** Reads the verification id and token, then scrubs the token from the URL. */
export function takeVerifyLink(location: Location, history: History, storage: Storage | null): VerifyLink {
  const match = /^\/v\/([A-Za-z0-9_-]{1,100})\/?$/.exec(location.pathname);
  const verificationId = match?.[1] ?? '';
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl !== null) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    safeStorage(() => storage?.setItem(STORAGE_PREFIX + verificationId, fromUrl));
    return { verificationId, token: fromUrl || null };
  }
  const stored = safeStorage(() => storage?.getItem(STORAGE_PREFIX + verificationId) ?? null) ?? null;
  return { verificationId, token: stored };
}

/** The full link again, for the cross-device QR code (the same link the applicant received). */
export function handoffUrl(origin: string, link: VerifyLink): string {
  return `${origin}/v/${encodeURIComponent(link.verificationId)}?token=${encodeURIComponent(link.token ?? '')}`;
}

/** Renders a link as a QR code image (GIF data URL: no inline SVG styles, no external service). */
export function qrDataUrl(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createDataURL(6, 4);
}

/** `returnUrl` with `verificationId` and `status` added; null if the URL is not http(s). */
export function returnUrlWithResult(returnUrl: string, verificationId: string, status: string): string | null {
  try {
    const url = new URL(returnUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    url.searchParams.set('verificationId', verificationId);
    url.searchParams.set('status', status);
    return url.toString();
  } catch {
    return null;
  }
}

function safeStorage<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    // Storage can be disabled (private mode, blocked cookies): the token then lives only in memory.
    return undefined;
  }
}
