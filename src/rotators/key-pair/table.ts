/**
 * @module The key-pair table: every resource type the `key-pair` rotator rotates, found by the resource id in
 * the secret's `ProviderAddress`. Adding a type means one module in types/ and one line here.
 */
import type { KeyPairType } from "./keyPairType.js";
import { appConfigurationType } from "./types/appConfiguration.js";
import { cognitiveType } from "./types/cognitive.js";
import { cosmosType } from "./types/cosmos.js";
import { eventGridType } from "./types/eventGrid.js";
import { eventHubsType, serviceBusType } from "./types/messaging.js";
import { redisType } from "./types/redis.js";
import { searchType } from "./types/search.js";
import { signalRType, webPubSubType } from "./types/signalR.js";
import { storageType } from "./types/storage.js";

export const KEY_PAIR_TYPES: readonly KeyPairType[] = [
  storageType,
  redisType,
  cosmosType,
  serviceBusType,
  eventHubsType,
  cognitiveType,
  searchType,
  signalRType,
  webPubSubType,
  eventGridType,
  appConfigurationType,
];
