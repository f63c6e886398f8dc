/**
 * What a service's badge says: its name, its status in words and the colour of that
 * status, once for both renderings (`badge-svg.ts`, and the shields.io endpoint JSON).
 */
import type { ServiceStatus } from "../domain/service-status";

/** A badge's content. */
export interface StatusBadge {
  label: string;
  message: string;
  /** shields.io's name of the colour. */
  colorName: string;
  /** The same colour as shields.io draws it. */
  colorHex: string;
}

const LOOKS: Record<ServiceStatus, Omit<StatusBadge, "label">> = {
  normal: { message: "normal", colorName: "brightgreen", colorHex: "#44cc11" },
  elevated: { message: "elevated reports", colorName: "yellow", colorHex: "#dfb317" },
  outage: { message: "outage", colorName: "red", colorHex: "#e05d44" },
};

/**
 * The badge of a service named `name` in `status`.
 * @example statusBadge("AT&T", "outage") // { label: "AT&T", message: "outage", colorName: "red", ... }
 */
export function statusBadge(name: string, status: ServiceStatus): StatusBadge {
  return { label: name, ...LOOKS[status] };
}
