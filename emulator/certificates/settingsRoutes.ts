/**
 * @module The vault's certificate contacts (who Key Vault would email about expiring certificates) and
 * issuer objects (a provider with its account and organisation). An issuer's password is stored and
 * never answered back.
 */
import { z } from "zod";
import { parseBody } from "../common/attributes.js";
import { assertObjectName } from "../common/ids.js";
import { page } from "../common/paging.js";
import { errors, KvError } from "../http/errors.js";
import type { Route, RouteContext } from "../http/route.js";
import type { Vault } from "../vault.js";
import { issuerCredentials, organizationDetails, SELF, UNKNOWN, type Contact, type Issuer } from "./model.js";
import { defined } from "./policy.js";

const CONTACTS = "Microsoft.KeyVault/vaults/certificatecontacts";
const ISSUERS = "Microsoft.KeyVault/vaults/certificatecas";

const contactsBody = z.object({
  contacts: z
    .array(
      z.object({
        email: z.string().regex(/^[^@\s]+@[^@\s]+$/, { message: "must be an email address" }),
        name: z.string().optional(),
        phone: z.string().optional(),
      }),
    )
    .min(1, { message: "at least one contact is required" }),
});

const issuerFields = {
  credentials: issuerCredentials.optional(),
  org_details: organizationDetails.optional(),
  attributes: z.object({ enabled: z.boolean().optional() }).loose().optional(),
};
const setIssuerBody = z.object({ provider: z.string({ error: "provider is required" }).min(1), ...issuerFields });
const updateIssuerBody = z.object({ provider: z.string().min(1).optional(), ...issuerFields });

function contactsOut(vault: Vault, contacts: Contact[]) {
  return { id: `${vault.url}/certificates/contacts`, contacts };
}

function contactsOf(vault: Vault): Contact[] {
  if (!vault.certificateContacts?.length) throw new KvError(404, "ContactsNotFound", "Contacts not found");
  return vault.certificateContacts;
}

function issuerId(vault: Vault, name: string): string {
  return `${vault.url}/certificates/issuers/${name}`;
}

function issuerOut(vault: Vault, issuer: Issuer) {
  const { name, credentials, ...rest } = issuer;
  return { id: issuerId(vault, name), ...rest, ...(credentials?.account_id ? { credentials: { account_id: credentials.account_id } } : {}) };
}

function issuerName(ctx: RouteContext): string {
  const name = ctx.params.issuer!;
  assertObjectName("issuer", name);
  return name;
}

function issuerOf(ctx: RouteContext): Issuer {
  const issuer = ctx.vault.certificateIssuers.get(issuerName(ctx).toLowerCase());
  if (!issuer) throw new KvError(404, "CertificateIssuerNotFound", "Issuer not found");
  return issuer;
}

export const settingsRoutes: Route[] = [
  {
    method: "GET",
    path: "/certificates/contacts",
    operation: "CertificateContactsGet",
    action: `${ISSUERS}/read`,
    handle: (ctx) => ({ body: contactsOut(ctx.vault, contactsOf(ctx.vault)), objectId: `${ctx.vault.url}/certificates/contacts` }),
  },
  {
    method: "PUT",
    path: "/certificates/contacts",
    operation: "CertificateContactsSet",
    action: `${CONTACTS}/write`,
    handle(ctx) {
      const { contacts } = parseBody(contactsBody, ctx.body);
      ctx.vault.certificateContacts = contacts;
      return { body: contactsOut(ctx.vault, contacts), objectId: `${ctx.vault.url}/certificates/contacts`, mutated: true };
    },
  },
  {
    method: "DELETE",
    path: "/certificates/contacts",
    operation: "CertificateContactsDelete",
    action: `${CONTACTS}/write`,
    handle(ctx) {
      const contacts = contactsOf(ctx.vault);
      ctx.vault.certificateContacts = undefined;
      return { body: contactsOut(ctx.vault, contacts), objectId: `${ctx.vault.url}/certificates/contacts`, mutated: true };
    },
  },
  {
    method: "GET",
    path: "/certificates/issuers",
    operation: "CertificateIssuersList",
    action: `${ISSUERS}/read`,
    handle(ctx) {
      const issuers = [...ctx.vault.certificateIssuers.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
      const item = (i: Issuer) => ({ id: issuerId(ctx.vault, i.name), provider: i.provider });
      return { body: page(issuers, ctx.query, `${ctx.vault.url}/certificates/issuers`, item, { key: (i) => i.name.toLowerCase() }) };
    },
  },
  {
    method: "GET",
    path: "/certificates/issuers/{issuer}",
    operation: "CertificateIssuerGet",
    action: `${ISSUERS}/read`,
    handle(ctx) {
      const issuer = issuerOf(ctx);
      return { body: issuerOut(ctx.vault, issuer), objectId: issuerId(ctx.vault, issuer.name) };
    },
  },
  {
    method: "PUT",
    path: "/certificates/issuers/{issuer}",
    operation: "CertificateIssuerSet",
    action: `${ISSUERS}/write`,
    handle(ctx) {
      const name = issuerName(ctx);
      if ([SELF, UNKNOWN].some((reserved) => reserved.toLowerCase() === name.toLowerCase())) {
        throw errors.badParameter(`${name} is a reserved issuer name.`);
      }
      const { attributes, ...body } = parseBody(setIssuerBody, ctx.body);
      const existing = ctx.vault.certificateIssuers.get(name.toLowerCase());
      const issuer: Issuer = {
        ...body,
        name: existing?.name ?? name,
        attributes: { enabled: attributes?.enabled ?? true, created: existing?.attributes.created ?? ctx.now, updated: ctx.now },
      };
      ctx.vault.certificateIssuers.set(name.toLowerCase(), issuer);
      return { body: issuerOut(ctx.vault, issuer), objectId: issuerId(ctx.vault, issuer.name), mutated: true };
    },
  },
  {
    method: "PATCH",
    path: "/certificates/issuers/{issuer}",
    operation: "CertificateIssuerUpdate",
    action: `${ISSUERS}/write`,
    handle(ctx) {
      const issuer = issuerOf(ctx);
      const { attributes, provider, credentials, org_details } = parseBody(updateIssuerBody, ctx.body);
      // Only what is sent changes: an update of the account id keeps the stored password.
      if (provider) issuer.provider = provider;
      if (credentials) issuer.credentials = { ...issuer.credentials, ...defined(credentials) };
      if (org_details) issuer.org_details = { ...issuer.org_details, ...defined(org_details) };
      issuer.attributes = { ...issuer.attributes, ...(attributes?.enabled !== undefined ? { enabled: attributes.enabled } : {}), updated: ctx.now };
      return { body: issuerOut(ctx.vault, issuer), objectId: issuerId(ctx.vault, issuer.name), mutated: true };
    },
  },
  {
    method: "DELETE",
    path: "/certificates/issuers/{issuer}",
    operation: "CertificateIssuerDelete",
    action: `${ISSUERS}/delete`,
    handle(ctx) {
      const issuer = issuerOf(ctx);
      ctx.vault.certificateIssuers.delete(issuer.name.toLowerCase());
      return { body: issuerOut(ctx.vault, issuer), objectId: issuerId(ctx.vault, issuer.name), mutated: true };
    },
  },
];
