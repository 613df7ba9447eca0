import { describe, expect, it } from '@jest/globals';
import type { Config } from '../../config.js';
import { dashboardCsp, outputOrigins } from './dashboard-csp.js';

const local: Pick<Config, 'publicBaseUrl' | 'storage'> = { publicBaseUrl: 'https://media.example.com/base', storage: { driver: 'local' } as Config['storage'] };
const s3 = (s3: Partial<NonNullable<Config['storage']['s3']>>): Pick<Config, 'publicBaseUrl' | 'storage'> => ({
  publicBaseUrl: 'http://127.0.0.1:3000',
  storage: { driver: 's3', s3: { bucket: 'out', region: 'eu-west-1', forcePathStyle: false, ...s3 } } as Config['storage'],
});

describe('the dashboard CSP', () => {
  it('lets media come from the signed links of local storage, i.e. PUBLIC_BASE_URL', () => {
    expect(outputOrigins(local)).toEqual(['https://media.example.com']);
  });

  it('lets media come from the bucket with S3, in either addressing style', () => {
    expect(outputOrigins(s3({}))).toEqual(['http://127.0.0.1:3000', 'https://out.s3.eu-west-1.amazonaws.com', 'https://s3.eu-west-1.amazonaws.com']);
    expect(outputOrigins(s3({ endpoint: 'http://minio:9000', forcePathStyle: true }))).toEqual(['http://127.0.0.1:3000', 'http://minio:9000']);
    expect(outputOrigins(s3({ endpoint: 'https://r2.example.net' }))).toEqual(['http://127.0.0.1:3000', 'https://r2.example.net', 'https://out.r2.example.net']);
  });

  it('allows no inline script, talks only to its own origin and cannot be framed', () => {
    const csp = dashboardCsp(['https://media.example.com']);
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('media-src')).toEqual(["'self'", 'https://media.example.com', 'blob:']);
    expect(csp).not.toContain('unsafe');
  });
});
