/**
 * Outbound HTTP for webhook deliveries, with the SSRF guard inside: every resolved address must be
 * public unless the host is on the explicit allow-list, and the connection goes to the address that was
 * checked. One Node implementation serves both runtimes (functions/adapters/node/node-webhook-transport.ts).
 */
export interface UrlCheck {
  ok: boolean;
  /** Why the URL is refused (for the 400 message); never echoes resolved internal addresses. */
  issue?: string;
}

export interface SendResult {
  statusCode: number | null;
  /** Short machine-readable reason when there was no HTTP status: timeout, ssrf_blocked, connect_error... */
  error: string | null;
  durationMs: number;
}

export interface WebhookTransport {
  /** Resolves the host and applies the SSRF policy (registration time); a name that does not resolve passes. */
  checkUrl(url: string, allowHosts: string[]): Promise<UrlCheck>;
  /** POSTs the body; re-applies the SSRF policy on the addresses it connects to (delivery time). */
  send(req: {
    url: string;
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
    allowHosts: string[];
  }): Promise<SendResult>;
}
