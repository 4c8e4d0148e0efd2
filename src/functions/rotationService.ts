/**
 * @module The rotation service the functions share: built once per process from the settings. The local
 * runner supplies its own factory (the emulator's clock, console progress).
 */
import { rotationServiceFromSettings } from "../rotation/fromSettings.js";
import type { RotationService } from "../rotation/service.js";

type Factory = () => Promise<RotationService>;

let factory: Factory = () => rotationServiceFromSettings();
let instance: Promise<RotationService> | undefined;

export function rotationService(): Promise<RotationService> {
  instance ??= factory().catch((error: unknown) => {
    instance = undefined;
    throw error;
  });
  return instance;
}

/** Replaces how the service is built (the local runner, tests); the next call builds it anew. */
export function useRotationService(next: Factory): void {
  factory = next;
  instance = undefined;
}
