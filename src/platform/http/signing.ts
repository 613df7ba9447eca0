import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signed, expiring links to stored outputs: `?expires=<unix s>&signature=<hmac>`. */
export function signPath(secret: string, path: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`${path}\n${expiresAt}`).digest('base64url');
}

export function signedUrl(baseUrl: string, secret: string, path: string, expiresAt: number): string {
  const expires = Math.floor(expiresAt);
  return `${baseUrl}${path}?expires=${expires}&signature=${signPath(secret, path, expires)}`;
}

export function verifySignedPath(
  secret: string,
  path: string,
  expires: string | undefined,
  signature: string | undefined,
  nowSeconds = Date.now() / 1000,
): boolean {
  if (!expires || !signature || !/^\d+$/.test(expires)) return false;
  if (Number(expires) < nowSeconds) return false;
  const expected = Buffer.from(signPath(secret, path, Number(expires)));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
