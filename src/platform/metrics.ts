import { Counter, Histogram, register } from 'prom-client';

/** Metric objects, registered once per process in prom-client's default registry. */
function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const httpDuration = once(
  'mediary_http_request_duration_seconds',
  () =>
    new Histogram({
      name: 'mediary_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);

export const jobsSubmitted = once(
  'mediary_jobs_submitted_total',
  () => new Counter({ name: 'mediary_jobs_submitted_total', help: 'Jobs accepted and charged', labelNames: ['type'] }),
);

export const jobsSettled = once(
  'mediary_jobs_settled_total',
  () =>
    new Counter({
      name: 'mediary_jobs_settled_total',
      help: 'Jobs that reached a final state in this process, by error code when failed',
      labelNames: ['status', 'code'],
    }),
);

export const creditsCharged = once(
  'mediary_credits_charged_total',
  () => new Counter({ name: 'mediary_credits_charged_total', help: 'Credits charged for accepted requests', labelNames: ['operation'] }),
);
