/**
 * @module What an alert sink brings to the settings: its channel type, its settings (with their docs) and how
 * a channel of its type checks them. The sink itself (how it delivers) lives in alerts/sinks/ and builds on
 * this; config/ holds only the settings half, so the settings import no part of alerting.
 */
import type { z } from "zod";

/** Adds one settings problem, on `setting`. */
export type SettingProblem = (setting: string, message: string) => void;

export interface SinkSettings {
  /** The channel `type` in KVGUARD_ALERT_RULES. */
  type: string;
  /** What it delivers through, for docs and messages. */
  title: string;
  /** Sends mail: its channels need `to`, and KVGUARD_ALERT_FROM must be set. */
  mail: boolean;
  /** The setting holding its connection (named in the doctor's advice). */
  connectionSetting: string;
  /** Its settings, each registered with its docs; merged into the app's settings schema. */
  settings: Record<string, z.ZodType>;
  /**
   * The settings problems of one channel of this type (its connection missing...), on already-parsed values
   * (a field that failed its own check is absent).
   */
  checkChannel(channel: string, values: Readonly<Record<string, unknown>>, problem: SettingProblem): void;
}
