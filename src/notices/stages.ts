/** @module Which notice stage an expiry has reached: the nearest configured stage it is within, or `expired`. */
import { DAY_MS } from "../common/duration.js";
import type { NoticeStage } from "./notice.js";

export interface StageReached {
  stage: NoticeStage;
  daysLeft: number;
  nextStage?: NoticeStage;
}

/**
 * The stage an object expiring at `expiresMs` is in at `nowMs`, or undefined while it is farther than every
 * stage. An object first seen within several stages gets the nearest one only: the farther ones are past news.
 * @param stageDays - days before expiry, most distant first
 */
export function stageAt(expiresMs: number, nowMs: number, stageDays: readonly number[]): StageReached | undefined {
  const leftMs = expiresMs - nowMs;
  const daysLeft = Math.floor(leftMs / DAY_MS);
  if (leftMs <= 0) return { stage: "expired", daysLeft };
  const reached = stageDays.filter((days) => leftMs <= days * DAY_MS);
  if (reached.length === 0) return undefined;
  const stage = reached.at(-1)!;
  const next = stageDays.find((days) => days < stage);
  return { stage, daysLeft, nextStage: next ?? "expired" };
}

export function stageText(stage: NoticeStage): string {
  return stage === "expired" ? "expired" : `${stage} days`;
}
