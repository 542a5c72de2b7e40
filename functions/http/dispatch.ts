import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errors } from '../domain/errors';
import { routes, type RouteId } from './routes';

export type RouteHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * Picks the handler for an event by its route template (`event.resource`, as API Gateway sets it and
 * the local server mirrors) and method. One Lambda serves one group of routes.
 */
export function dispatcher(handlers: Partial<Record<RouteId, RouteHandler>>): RouteHandler {
  const byKey = new Map<string, RouteHandler>();
  for (const r of routes) {
    const h = handlers[r.id];
    if (h) byKey.set(`${r.method} ${r.path}`, h);
  }
  return async (event) => {
    const h = byKey.get(`${event.httpMethod} ${event.resource}`);
    if (!h) throw errors.routeNotFound();
    return h(event);
  };
}
