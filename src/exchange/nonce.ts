// Nonces: a millisecond timestamp per signer, strictly increasing even when two actions are
// signed in the same millisecond (the exchange refuses a reused nonce). The SDK's default
// global manager does the same; ours is per client, with an injectable clock for tests.

export type NonceSource = (signer: string) => number;

/** Nonces = max(now, last + 1) per signer (case-insensitive address). */
export function createNonceSource(now: () => number = Date.now): NonceSource {
  const last = new Map<string, number>();
  return (signer: string): number => {
    const key = signer.toLowerCase();
    const t = Math.floor(now());
    const prev = last.get(key) ?? 0;
    const nonce = t > prev ? t : prev + 1;
    last.set(key, nonce);
    return nonce;
  };
}
