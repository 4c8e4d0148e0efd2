/** @module PLACEHOLDER: replaced by the event delivery implementation. */
import type { EventBus } from "./bus.js";

export interface SubscriptionInput {
  name: string;
  endpoint: string;
}

export interface DeliveryOptions {
  deadLetterDir: string;
  ca?: string;
}

export class EventDelivery {
  constructor(
    readonly bus: EventBus,
    readonly options: DeliveryOptions,
  ) {}

  snapshot(): SubscriptionInput[] {
    return [];
  }

  async load(_subscriptions: unknown[]): Promise<void> {}

  async close(): Promise<void> {}
}
