/** @module Key rotation: rotate now, and get or set a key's rotation policy. */
import { assertNotManaged } from "../common/managed.js";
import type { Route } from "../http/route.js";
import { keyId } from "./mapper.js";
import { generateKeyMaterial, specOf } from "./material.js";
import { applyPolicy, policies, policyOut, rotatedExpiry } from "./rotationPolicy.js";
import { createBuckets } from "./throttle.js";
import { addKeyVersion, keyName } from "./versions.js";

const POLICY_ACTION = "Microsoft.KeyVault/vaults/keyrotationpolicies";

export const rotationRoutes: Route[] = [
  {
    method: "POST",
    path: "/keys/{name}/rotate",
    operation: "KeyRotate",
    action: "Microsoft.KeyVault/vaults/keys/rotate/action",
    throttle: createBuckets.rotate,
    async handle(ctx) {
      const { entry, version: current } = ctx.vault.keys.get(keyName(ctx));
      assertNotManaged("Key", entry, "rotate");
      const jwk = await generateKeyMaterial(specOf(current.jwk));
      // Same type, size or curve, operations and tags; a new validity from the policy's expiryTime.
      const exp = rotatedExpiry(policies.get(ctx.vault, entry.name), ctx.now);
      return addKeyVersion(ctx, entry.name, {
        kty: current.kty,
        jwk,
        keyOps: [...current.keyOps],
        attributes: { enabled: true, created: ctx.now, updated: ctx.now, ...(exp !== undefined ? { exp } : {}) },
        ...(current.tags ? { tags: { ...current.tags } } : {}),
        ...(current.exportable ? { exportable: true } : {}),
        ...(current.releasePolicy ? { releasePolicy: current.releasePolicy } : {}),
      });
    },
  },
  {
    method: "GET",
    path: "/keys/{name}/rotationpolicy",
    operation: "KeyRotationPolicyGet",
    action: `${POLICY_ACTION}/read`,
    handle(ctx) {
      const entry = ctx.vault.keys.entry(keyName(ctx));
      return {
        body: policyOut(ctx.vault, entry.name, policies.get(ctx.vault, entry.name)),
        objectId: `${keyId(ctx.vault, entry.name)}/rotationpolicy`,
      };
    },
  },
  {
    method: "PUT",
    path: "/keys/{name}/rotationpolicy",
    operation: "KeyRotationPolicySet",
    action: `${POLICY_ACTION}/write`,
    handle(ctx) {
      const entry = ctx.vault.keys.entry(keyName(ctx));
      assertNotManaged("Key", entry, "set rotation policy");
      const policy = applyPolicy(policies.get(ctx.vault, entry.name), ctx.body, ctx.now);
      policies.set(ctx.vault, entry.name, policy);
      return {
        body: policyOut(ctx.vault, entry.name, policy),
        objectId: `${keyId(ctx.vault, entry.name)}/rotationpolicy`,
        mutated: true,
      };
    },
  },
];
