import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  at: number;
  headers: IncomingHttpHeaders;
  /** The exact bytes received. */
  raw: Buffer;
  json: any;
}

export type Responder = (n: number, d: ReceivedDelivery) => number | 'hang';

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers with the status the
 * responder chooses for the n-th request (1-based), or never answers ('hang').
 */
export async function startReceiver(responder: Responder = () => 200): Promise<{
  url: string;
  received: ReceivedDelivery[];
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  close(): Promise<void>;
}> {
  const received: ReceivedDelivery[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let json: any = null;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        json = null;
      }
      const d: ReceivedDelivery = { at: Date.now(), headers: req.headers, raw, json };
      received.push(d);
      for (const w of waiters.splice(0)) w();
      const status = responder(received.length, d);
      if (status === 'hang') return; // leave the socket open: the sender must cut it at its timeout
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/kyc`,
    received,
    async waitFor(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} deliveries, got ${received.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return received.slice(0, n);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
