/**
 * @module Fault injection over HTTP for the local cloud, as the local Key Vault has it: `POST /management/faults`
 * makes the next N matching requests fail with a status (429 with `Retry-After`, 5xx...), `GET` lists the
 * faults, `DELETE` clears them. For scripts driving a separately started cloud; in-process tests can call
 * `LocalCloud.addFault`. Bad bodies get the local Key Vault's admin errors (the host serves both shapes).
 */
import { faultBody } from "../admin/faultRoutes.js";
import { parseBody } from "../common/attributes.js";
import type { Faults } from "../faults.js";
import { KvError } from "../http/errors.js";
import type { CloudRoute } from "./host.js";

export function faultRoutes(faults: Faults): CloudRoute[] {
  return [
    { api: "login", method: "GET", path: "/management/faults", handle: () => ({ body: faults.list() }) },
    {
      api: "login",
      method: "POST",
      path: "/management/faults",
      handle(request) {
        const spec = parseBody(faultBody, request.body);
        try {
          return { status: 201, body: faults.add(spec) };
        } catch (error) {
          throw new KvError(400, "BadParameter", (error as Error).message);
        }
      },
    },
    { api: "login", method: "DELETE", path: "/management/faults", handle: () => ({ body: { cleared: faults.clear() } }) },
  ];
}
