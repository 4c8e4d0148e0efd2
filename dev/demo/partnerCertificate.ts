/**
 * @module The demo's imported certificate: a TLS certificate a partner's CA signed, valid until a few days
 * of vault time from now, packed as PKCS#12 for `importCertificate`. Its policy's issuer is then Unknown: Key
 * Vault cannot renew it and kvguard cannot either, so the sweep announces it stage by stage.
 */
import { generateKeyPairSync } from "node:crypto";
import { signCertificate } from "../../emulator/pki/certificate.js";
import { extendedKeyUsageExtension, keyUsageExtension, subjectAltNameExtension } from "../../emulator/pki/extensions.js";
import { parseName } from "../../emulator/pki/names.js";
import { writePfx } from "../../emulator/pki/pkcs12.js";
import { DAY_MS } from "../../src/common/duration.js";

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

export function partnerSignedPfx(host: string, nowMs: number, validDays: number): Buffer {
  const leaf = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const partnerCa = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const der = signCertificate({
    subject: parseName(`CN=${host}`),
    issuer: parseName("CN=Partner Issuing CA, O=Partner Ltd"),
    publicKey: leaf.publicKey,
    signingKey: partnerCa.privateKey,
    notBefore: new Date(nowMs - DAY_MS),
    notAfter: new Date(nowMs + validDays * DAY_MS),
    extensions: [
      keyUsageExtension(["digitalSignature", "keyEncipherment"]),
      extendedKeyUsageExtension([SERVER_AUTH]),
      subjectAltNameExtension({ dns_names: [host] }, false)!,
    ],
  });
  return writePfx(leaf.privateKey, [der]);
}
