/** The environment the CDK stack gives each function. */

/**
 * Reads a variable the stack sets.
 * @throws Error naming the variable when it is missing
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`environment variable ${name} is not set; deploy with the outcry CDK stack`);
  return value;
}
