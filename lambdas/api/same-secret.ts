/** One way to compare a secret a request carries with the one expected. */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Whether `given` is `expected`, compared in constant time over SHA-256 digests, so that
 * neither the time taken nor the lengths tell an attacker how close a guess came.
 * @example sameSecret(headers["x-api-key"] ?? "", key)
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
