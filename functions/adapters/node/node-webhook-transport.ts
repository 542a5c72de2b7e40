import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isBlockedHostname, isPublicAddress, urlHost } from '../../domain/network-policy';
import type { SendResult, UrlCheck, WebhookTransport } from '../../ports/webhook-transport';

type Resolved = { ok: true; address: string; family: number } | { ok: false; issue: string; unresolved?: true };

/** Resolves a host and picks an address the SSRF policy allows; every resolved address must pass. */
async function resolveAllowed(host: string, allowHosts: string[]): Promise<Resolved> {
  const allowed = allowHosts.map((h) => h.toLowerCase()).includes(host.toLowerCase());
  if (!allowed && isBlockedHostname(host)) return { ok: false, issue: 'host is not allowed (internal name)' };
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return { ok: false, issue: 'host does not resolve', unresolved: true };
    }
  }
  if (addresses.length === 0) return { ok: false, issue: 'host does not resolve', unresolved: true };
  // A host that resolves to any non-public address is refused as a whole: picking "the public one"
  // would leave a rebinding window across retries.
  if (!allowed && addresses.some((a) => !isPublicAddress(a.address))) {
    return { ok: false, issue: 'host resolves to a private, loopback, link-local or otherwise non-public address' };
  }
  return { ok: true, address: addresses[0]!.address, family: addresses[0]!.family };
}

/** Webhook HTTP client with the SSRF guard; connects to the checked address (pinned lookup). */
export function createNodeWebhookTransport(): WebhookTransport {
  return {
    async checkUrl(url, allowHosts): Promise<UrlCheck> {
      const host = urlHost(new URL(url));
      const r = await resolveAllowed(host, allowHosts);
      // A name that does not resolve yet (DNS set up later, or an offline machine) is accepted: every
      // delivery resolves and checks it again before connecting.
      return r.ok || r.unresolved ? { ok: true } : { ok: false, issue: r.issue };
    },
    async send({ url, headers, body, timeoutMs, allowHosts }): Promise<SendResult> {
      const started = Date.now();
      const target = new URL(url);
      const resolved = await resolveAllowed(urlHost(target), allowHosts);
      if (!resolved.ok) return { statusCode: null, error: 'ssrf_blocked', durationMs: Date.now() - started };
      const pinned: LookupFunction = (_host, opts, cb) => {
        if (opts && typeof opts === 'object' && 'all' in opts && opts.all) {
          (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
            { address: resolved.address, family: resolved.family },
          ]);
        } else {
          cb(null, resolved.address, resolved.family);
        }
      };
      const doRequest = target.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise<SendResult>((resolve) => {
        let settled = false;
        const finish = (r: Omit<SendResult, 'durationMs'>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ ...r, durationMs: Date.now() - started });
        };
        const req = doRequest(
          target,
          {
            method: 'POST',
            headers: { ...headers, 'Content-Length': Buffer.byteLength(body).toString() },
            lookup: pinned,
            agent: false,
          },
          (res) => {
            // Drain at most a little of the body; we only need the status.
            res.on('data', () => undefined);
            res.on('end', () => finish({ statusCode: res.statusCode ?? null, error: null }));
            res.on('error', () => finish({ statusCode: res.statusCode ?? null, error: null }));
          },
        );
        // One deadline for connect + response: a receiver that hangs is cut at timeoutMs.
        const timer = setTimeout(() => {
          req.destroy(new Error('timeout'));
          finish({ statusCode: null, error: 'timeout' });
        }, timeoutMs);
        req.on('error', (err: NodeJS.ErrnoException) =>
          finish({ statusCode: null, error: err.code === 'ECONNREFUSED' ? 'connection_refused' : 'connect_error' }),
        );
        req.end(body);
      });
    },
  };
}
