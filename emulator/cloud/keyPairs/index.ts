/**
 * @module The local cloud's key-based resources (resources.ts): their ARM, their validation data planes and an
 * admin API (`/management/keypairs`, no token) that adds resources, which ARM cannot here (no PUT).
 */
import type { LocalKeyVault } from "../../localKeyVault.js";
import { adminRoutesUnder } from "../armScope.js";
import { CloudError, type CloudRoute } from "../host.js";
import { keyPairArmRoutes } from "./armRoutes.js";
import { keyPairDataRoutes } from "./dataPlane.js";
import { LocalKeyPairs, resourceId, type KeyResource, type NewKeyResource } from "./resources.js";

export { LocalKeyPairs, resourceId as keyPairResourceId, type KeyResource, type Kind as KeyPairKind } from "./resources.js";

/** What the admin API shows of a resource: never its keys. */
function view(resource: KeyResource): Record<string, unknown> {
  const { keys: _keys, ...rest } = resource;
  return { id: resourceId(resource), ...rest };
}

export async function keyPairsProvider(kv: LocalKeyVault): Promise<{ keyPairs: LocalKeyPairs; routes: CloudRoute[] }> {
  const keyPairs = new LocalKeyPairs(kv);
  await keyPairs.load();
  const admin = adminRoutesUnder("keypairs");
  return {
    keyPairs,
    routes: [
      ...keyPairArmRoutes(keyPairs),
      ...keyPairDataRoutes(keyPairs),
      admin("GET", "", () => ({ body: keyPairs.list().map(view) })),
      admin("POST", "", async (request) => {
        if (typeof request.body !== "object" || request.body === null)
          throw new CloudError(400, "BadRequest", 'the body must be {"kind": "...", "name": "..."}');
        return { status: 201, body: view(await keyPairs.create(request.body as NewKeyResource)) };
      }),
    ],
  };
}
