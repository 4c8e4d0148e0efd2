/**
 * @module `kvguard status`'s certificate lines: every certificate of each vault (or the one named) with its
 * issuer, subject and SANs, key, expiry, lifetime actions and who renews it. A vault whose certificates cannot
 * be read is a line saying why, and exit 1.
 */
import { ensureError } from "../common/errors.js";
import { RENEWAL_LABELS } from "../notices/renewers.js";
import type { RotationService } from "../rotation/service.js";
import { certificateInventory } from "../status/certificates.js";

export async function printCertificates(service: RotationService, only: string | undefined, json: boolean, print: (line: string) => void): Promise<number> {
  let failed = false;
  for (const vault of service.vaults.values()) {
    const { name } = vault.target;
    if (only && only.toLowerCase() !== name.toLowerCase()) continue;
    try {
      const rows = await certificateInventory(vault.certificates, name, await service.status.list(name), service.clock.nowMs());
      for (const c of rows) {
        if (json) print(JSON.stringify({ vault: name, kind: "certificate", ...c }));
        else {
          const expires = c.expiresOn
            ? `expires ${c.expiresOn.slice(0, 10)} (${c.daysLeft! < 0 ? `expired ${-c.daysLeft!} days ago` : `in ${c.daysLeft} days`})`
            : "not issued yet";
          const subject = [c.subject ?? "", ...c.sans].filter(Boolean).join(", ") || "unknown";
          const renewed = c.problem ? `could not be read: ${c.problem}` : `renewed ${RENEWAL_LABELS[c.renewedBy]}: ${c.why}`;
          print(
            `${name}/certificates/${c.name}  ${expires}  issuer ${c.issuer}  subject ${subject}  key ${c.key}  lifetime actions ${c.lifetimeActions.join("; ") || "none"}  ${renewed}`,
          );
        }
      }
    } catch (error) {
      print(`${name}: certificates could not be listed: ${ensureError(error).message.split("\n")[0]!.slice(0, 300)}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
