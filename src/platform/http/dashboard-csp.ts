import type { Config } from '../../config.js';

/**
 * Where a job's output links point, so the dashboard may show them in <img>, <video> and
 * <audio>: this installation's PUBLIC_BASE_URL (local storage, signed links), and with S3 the
 * bucket's presigned-link hosts (virtual-hosted and path style).
 */
export function outputOrigins(config: Pick<Config, 'publicBaseUrl' | 'storage'>): string[] {
  const origins = [new URL(config.publicBaseUrl).origin];
  const s3 = config.storage.driver === 's3' ? config.storage.s3 : undefined;
  if (s3?.endpoint) {
    const endpoint = new URL(s3.endpoint);
    origins.push(endpoint.origin);
    if (!s3.forcePathStyle) origins.push(`${endpoint.protocol}//${s3.bucket}.${endpoint.host}`);
  } else if (s3) {
    origins.push(`https://${s3.bucket}.s3.${s3.region}.amazonaws.com`, `https://s3.${s3.region}.amazonaws.com`);
  }
  return [...new Set(origins)];
}

/**
 * The dashboard's Content-Security-Policy: its own scripts and styles only (no inline code),
 * API calls to its own origin only, pictures and media also from the output links' origins,
 * and no framing.
 */
export function dashboardCsp(origins: string[]): string {
  const media = ["'self'", ...origins, 'blob:'].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${media}`,
    `media-src ${media}`,
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
