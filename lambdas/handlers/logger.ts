/**
 * The structured logger every handler shares (Powertools: JSON lines with the request id).
 */
import { Logger } from "@aws-lambda-powertools/logger";

/** The outcry logger; level from `POWERTOOLS_LOG_LEVEL`. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "outcry" });
