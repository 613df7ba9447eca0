import { describe, expect, it } from '@jest/globals';
import { signPath, signedUrl, verifySignedPath } from './signing.js';

const SECRET = 'test-secret-0123456789';
const PATH = '/v1/files/acc_1/job_1/media.mp4';
const NOW = 1_700_000_000;
const EXPIRES = NOW + 3600;

function parts(url: string) {
  const u = new URL(url);
  return { path: u.pathname, expires: u.searchParams.get('expires') ?? undefined, signature: u.searchParams.get('signature') ?? undefined };
}

describe('signed URLs', () => {
  const url = signedUrl('https://media.example', SECRET, PATH, EXPIRES + 0.7);
  const good = parts(url);

  it('round-trips', () => {
    expect(url.startsWith(`https://media.example${PATH}?expires=${EXPIRES}&signature=`)).toBe(true);
    expect(good.path).toBe(PATH);
    expect(verifySignedPath(SECRET, good.path, good.expires, good.signature, NOW)).toBe(true);
  });

  it('is valid up to the expiry second', () => {
    expect(verifySignedPath(SECRET, good.path, good.expires, good.signature, EXPIRES)).toBe(true);
  });

  it.each<[string, string, string | undefined, string | undefined, number, string]>([
    ['tampered path', '/v1/files/acc_2/job_1/media.mp4', good.expires, good.signature, NOW, SECRET],
    ['tampered signature', PATH, good.expires, `${good.signature!.startsWith('A') ? 'B' : 'A'}${good.signature!.slice(1)}`, NOW, SECRET],
    ['extended expiry', PATH, String(EXPIRES + 86400), good.signature, NOW, SECRET],
    ['expired', PATH, good.expires, good.signature, EXPIRES + 1, SECRET],
    ['other secret', PATH, good.expires, good.signature, NOW, 'another-secret-0123456789'],
    ['missing expires', PATH, undefined, good.signature, NOW, SECRET],
    ['missing signature', PATH, good.expires, undefined, NOW, SECRET],
    ['non-numeric expires', PATH, `${EXPIRES}.0`, good.signature, NOW, SECRET],
    ['truncated signature', PATH, good.expires, good.signature!.slice(0, 10), NOW, SECRET],
  ])('fails on %s', (_name, path, expires, signature, now, secret) => {
    expect(verifySignedPath(secret, path, expires, signature, now)).toBe(false);
  });

  it('signs path and expiry together, deterministically', () => {
    expect(signPath(SECRET, PATH, EXPIRES)).toBe(signPath(SECRET, PATH, EXPIRES));
    expect(signPath(SECRET, PATH, EXPIRES)).not.toBe(signPath(SECRET, PATH, EXPIRES + 1));
    expect(signPath(SECRET, PATH, EXPIRES)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
