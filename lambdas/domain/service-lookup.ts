/**
 * Finding a configured service by id, apart from the config schema so that the function
 * bundles that look services up do not carry the schema library.
 */
import type { Config, Service } from "./config";

/** The configured service with id `id`, if any. */
export function serviceById(config: Pick<Config, "services">, id: string): Service | undefined {
  return config.services.find((service) => service.id === id);
}
