import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  bodyBytes: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Builds each request afresh (new emails, signatures); returns the path + body to send. */
  next?: () => { path: string; body?: string; headers?: Record<string, string>; method?: 'GET' | 'POST' };
  /** Responses whose body does not pass this count as errors (e.g. a Gigya errorCode ≠ 0 on HTTP 200). */
  check?: (body: string) => boolean;
}

/** One fixed-duration autocannon run; latencies in milliseconds. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let bodyErrors = 0;
  let bodyBytes = 0;
  // autocannon summarises p97.5 but not p95: keep every response time and take exact percentiles.
  const latencies: number[] = [];
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.duration,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      requests: options.next
        ? [
            {
              setupRequest: (request) => {
                const next = options.next?.();
                if (!next) return request;
                return {
                  ...request,
                  path: next.path,
                  method: next.method ?? options.method ?? 'GET',
                  ...(next.body !== undefined && { body: next.body }),
                  headers: { ...request.headers, ...(next.headers ?? {}) },
                };
              },
              ...(options.check && {
                onResponse: (_status: number, body: string) => {
                  bodyBytes = body.length;
                  if (!options.check?.(body)) bodyErrors++;
                },
              }),
            },
          ]
        : undefined,
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime);
  });
  const result = await done;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: percentile(50),
    p95: percentile(95),
    p99: percentile(99),
    errors: result.errors + result.timeouts + bodyErrors,
    non2xx: result.non2xx,
    bodyBytes,
  };
}
