/**
 * Fault injection for the AWS e2e harness (issue 12 §3), at the boundary where the real service fails: an
 * HTTP proxy in front of an emulator (DynamoDB Local, s3rver) that the Lambdas' SDK endpoints point at. The
 * proxy answers some SDK calls with the service's own throttling error, byte for byte as the service sends it
 * (DynamoDB: 400 ProvisionedThroughputExceededException; S3: 503 SlowDown), before the request reaches the
 * emulator, as the real service refuses a throttled request without applying it.
 *
 * Faults are decided per SDK call, not per HTTP request: the SDK retries a throttled call itself (same
 * `amz-sdk-invocation-id` on every attempt), so a call is either
 * - `transient`: its first attempt is refused, the SDK's retry gets through (the product never sees it), or
 * - `persistent`: every attempt is refused, so the error reaches product code (a Lambda error, a 5xx).
 * Requests without that header (the browser's presigned POST, the test's own setup clients) pass untouched.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The error a throttled service sends. */
export interface ThrottleResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const DYNAMODB_THROTTLE: ThrottleResponse = {
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  }),
};

export const S3_SLOW_DOWN: ThrottleResponse = {
  status: 503,
  headers: { 'content-type': 'application/xml' },
  body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>E2EFAULT</RequestId><HostId>e2e</HostId></Error>',
};

/** Share of SDK calls that get each kind of fault while the proxy is armed. */
export interface FaultRates {
  transient: number;
  persistent: number;
}

export interface FaultCounts {
  /** SDK calls seen while armed. */
  calls: number;
  /** Calls whose first attempt was refused and whose SDK retry passed. */
  transient: number;
  /** Calls refused on every attempt (the error reached the caller). */
  persistent: number;
  /** HTTP requests refused in all. */
  refusedRequests: number;
}

/** mulberry32: a small seeded PRNG, so a failing fault run can be replayed with its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type CallFault = 'none' | 'transient' | 'persistent';

/** A throttling proxy in front of one emulator endpoint; disarmed (a plain proxy) until {@link arm}. */
export class FaultProxy {
  private server: Server | null = null;
  private rates: FaultRates | null = null;
  private random: () => number = Math.random;
  private readonly plan = new Map<string, CallFault>();
  readonly counts: FaultCounts = { calls: 0, transient: 0, persistent: 0, refusedRequests: 0 };

  private constructor(
    private readonly target: URL,
    private readonly refusal: ThrottleResponse,
  ) {}

  /** Starts a proxy to `targetEndpoint` that refuses with `refusal` when armed. */
  static async start(targetEndpoint: string, refusal: ThrottleResponse): Promise<FaultProxy & { endpoint: string }> {
    const proxy = new FaultProxy(new URL(targetEndpoint), refusal);
    const server = createServer((req, res) => proxy.handle(req, res));
    proxy.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return Object.assign(proxy, { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  }

  /** Starts refusing calls at `rates`, drawing from a PRNG seeded with `seed`. */
  arm(rates: FaultRates, seed: number): void {
    this.rates = rates;
    this.random = seededRandom(seed);
  }

  /** Back to a plain proxy. */
  disarm(): void {
    this.rates = null;
  }

  private faultOf(invocationId: string): CallFault {
    const known = this.plan.get(invocationId);
    if (known) return known;
    let fault: CallFault = 'none';
    if (this.rates) {
      this.counts.calls++;
      const r = this.random();
      fault =
        r < this.rates.persistent
          ? 'persistent'
          : r < this.rates.persistent + this.rates.transient
            ? 'transient'
            : 'none';
      if (fault !== 'none') this.counts[fault]++;
    }
    this.plan.set(invocationId, fault);
    return fault;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const invocationId = req.headers['amz-sdk-invocation-id'];
    // `amz-sdk-request: attempt=2; max=3`: which try of this call this request is.
    const attempt = Number(/attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''))?.[1] ?? 1);
    if (typeof invocationId === 'string' && (this.rates || this.plan.has(invocationId))) {
      const fault = this.faultOf(invocationId);
      if (fault === 'persistent' || (fault === 'transient' && attempt === 1)) {
        this.counts.refusedRequests++;
        req.resume();
        req.on('end', () => {
          res.writeHead(this.refusal.status, {
            ...this.refusal.headers,
            'x-amzn-requestid': `e2e-fault-${this.counts.refusedRequests}`,
          });
          res.end(req.method === 'HEAD' ? undefined : this.refusal.body);
        });
        return;
      }
    }
    const upstream = request(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
    req.pipe(upstream);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
