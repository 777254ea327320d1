/**
 * What the gateway tells Prometheus, on its admin port: requests by operation, status and
 * decision, their duration, records removed by policies, upstream failures, enumeration blocks,
 * reloads, and the process's own figures. One registry per gateway, so that several can run in one
 * process (tests, embedding) without sharing counts.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * One child metric per combination of label values, looked up once: prom-client otherwise hashes
 * the label object of every observation, and the gateway makes several per request. Operations,
 * statuses and decisions are few, so the memo stays small.
 */
function labelled<Labels extends (string | number)[], Child>(child: (...labels: Labels) => Child): (...labels: Labels) => Child {
  const children = new Map<string, Child>();
  return (...labels) => {
    const key = labels.join('\u0000');
    let found = children.get(key);
    if (found === undefined) {
      found = child(...labels);
      children.set(key, found);
    }
    return found;
  };
}

export interface GatewayMetrics {
  registry: Registry;
  /** One answer sent: `operation` is `unrouted` when the path matched nothing. */
  answered(operation: string, status: number, seconds: number): void;
  decided(operation: string, decision: 'allow' | 'filtered' | 'deny', removed: number): void;
  upstreamFailed(kind: 'timeout' | 'error' | 'invalid'): void;
  blocked(): void;
  reloaded(result: 'ok' | 'failed'): void;
}

/**
 * @example
 * ```ts
 * const metrics = createGatewayMetrics();
 * metrics.answered('getUser', 200, 0.004);
 * const text = await metrics.registry.metrics();
 * ```
 */
export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'leakproof_gateway_' });
  const requests = new Counter({ name: 'leakproof_gateway_requests_total', help: 'Answers sent, by operation and status.', labelNames: ['operation', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'leakproof_gateway_request_duration_seconds',
    help: 'Time from request to answer, upstream included.',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const decisions = new Counter({ name: 'leakproof_gateway_decisions_total', help: 'Policy decisions on answers: allowed whole, filtered, or denied.', labelNames: ['operation', 'decision'], registers: [registry] });
  const removed = new Counter({ name: 'leakproof_gateway_records_removed_total', help: 'Records removed from answers because no view allowed them.', labelNames: ['operation'], registers: [registry] });
  const upstream = new Counter({ name: 'leakproof_gateway_upstream_failures_total', help: 'Upstream answers the gateway could not use: timeouts, errors, invalid bodies.', labelNames: ['kind'], registers: [registry] });
  const blocks = new Counter({ name: 'leakproof_gateway_enumeration_blocks_total', help: 'Principals blocked for receiving too many people\'s records.', registers: [registry] });
  const reloads = new Counter({ name: 'leakproof_gateway_reloads_total', help: 'Configuration reloads, by result.', labelNames: ['result'], registers: [registry] });
  const answers = labelled((operation: string, status: number) => requests.labels(operation, String(status)));
  const durations = labelled((operation: string) => duration.labels(operation));
  const decided = labelled((operation: string, decision: string) => decisions.labels(operation, decision));
  return {
    registry,
    answered(operation, status, seconds) {
      answers(operation, status).inc();
      durations(operation).observe(seconds);
    },
    decided(operation, decision, count) {
      decided(operation, decision).inc();
      if (count > 0) removed.inc({ operation }, count);
    },
    upstreamFailed: (kind) => { upstream.inc({ kind }); },
    blocked: () => { blocks.inc(); },
    reloaded: (result) => { reloads.inc({ result }); },
  };
}
