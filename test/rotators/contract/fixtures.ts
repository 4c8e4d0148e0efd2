/**
 * What the rotator contract suite needs of each registered rotator: a target to rotate at (started once per
 * suite), a fresh credential there for each secret (the secret's value and tags), whether a value works at
 * the target, and what the rotator's design does with the replaced credential. A rotator without a fixture
 * fails the suite, so a new rotator comes with one; its behaviour is then checked by the suite, with no tests
 * of its own needed for the contract. A rotator with several designs (postgres' alternating users) has a
 * fixture for each, keyed by label and naming the rotator.
 */
import { createHash } from "node:crypto";
import { LocalEntraAdmin } from "../../../emulator/cloud/entra/adminClient.js";
import { localStorageAccountId } from "../../../emulator/cloud/storageArm.js";
import { devClaims } from "../../../src/azure/devCredential.js";
import { registerRotator } from "../../../src/rotators/registry.js";
import { createSqlRotator } from "../../../src/rotators/sql/rotator.js";
import { createSqlServerDialect } from "../../../src/rotators/sqlserver/dialect.js";
import { secretWorks } from "../../helpers/entra.js";
import { FakeSqlServer } from "../../helpers/fakeSqlServer.js";
import type { LocalStack } from "../../helpers/localStack.js";
import { MARIADB, MariadbScratch } from "../../helpers/mariadb.js";
import { createRoleSql, queryAs, startTestPostgres, type TestPostgres } from "../../helpers/postgres.js";
import { Capture, kvguardSecrets } from "../../helpers/rotation.js";
import { CASES, keysOf, makeResource, named, type KeyPairCase } from "../keyPairCases.js";
import type { MachineServiceName } from "../../helpers/machineServices.js";

export interface Seeded {
  value: string;
  tags: Record<string, string>;
  contentType?: string;
  /** The binding an operator declares for this credential's target (the policy file's `bindings.<rotator>[]`). */
  binding?: Record<string, unknown>;
}

export interface ContractTarget {
  /** A fresh credential at the target for the secret `name`. */
  seed(name: string): Promise<Seeded>;
  /** Whether `value` (the live secret's) works at the target. */
  works(name: string, value: string): Promise<boolean>;
  /**
   * How many credentials the target holds for the secret `name` (kvguard's and the one it replaced): after a
   * rotation killed once it acted at the target and rerun, a credential the killed run made and never recorded
   * must be gone or be the live one. Absent where the target cannot count them, or always holds two keys.
   */
  held?(name: string): Promise<number>;
  stop(): Promise<void>;
}

export interface RotatorFixture {
  /** The registered rotator it runs (default: the fixture's key). */
  rotator?: string;
  /**
   * The rotator's design for the credential it replaced, until the revoke after grace: `true`, it still works
   * (a key pair, a client secret, alternating users); `false`, the new one replaced it (a password changed).
   * Absent for a rotator with no target to ask (random).
   */
  keepsPrevious?: boolean;
  /** The operator's policy file besides the bindings (the managing credentials a design needs). */
  policy?: Record<string, unknown>;
  /** Whether another process (`kvguard rotate`) can reach the target (a fake inside the test process cannot). */
  outOfProcess: boolean;
  /** A machine service the target needs (the suite is skipped loudly without it, as the other suites are). */
  needs?: MachineServiceName;
  start(stack: LocalStack): Promise<ContractTarget>;
}

/** The managing user of the alternating-users design, and the secret that holds it. */
const ALT_MANAGER = { secret: "contract-pg-admin", username: "contract_admin", password: "contract-admin-Vb6n" };

/** How many roles a name starts (a role and its clones). */
async function rolesOf(pgs: TestPostgres, role: string): Promise<number> {
  return (await pgs.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)", [role])).length;
}

const short = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 10);
const KVGUARD_OID = devClaims({ name: "kvguard" }).oid!;

export const FIXTURES: Record<string, RotatorFixture> = {
  random: {
    outOfProcess: true,
    start: () => {
      const initial = new Map<string, string>();
      return Promise.resolve({
        seed: (name) => {
          initial.set(name, `initial-${short(name)}-Zq8v`);
          return Promise.resolve({ value: initial.get(name)!, tags: { "kvguard-rotator": "random" } });
        },
        works: (name, value) => Promise.resolve(value !== initial.get(name) && value.length >= 16),
        stop: () => Promise.resolve(),
      });
    },
  },

  "storage-account": {
    outOfProcess: true,
    keepsPrevious: true,
    start: (stack) =>
      Promise.resolve({
        async seed(name) {
          const account = `c${short(name)}`;
          await stack.azurite.accounts.create(account);
          const key1 = stack.azurite.accounts.get(account)!.keys[0].value;
          return {
            value: key1,
            tags: { "kvguard-rotator": "storage-account", ProviderAddress: localStorageAccountId(account), CredentialId: "key1" },
            binding: { accounts: [localStorageAccountId(account)] },
          };
        },
        works: (name, value) => Promise.resolve(stack.azurite.accounts.get(`c${short(name)}`)!.keys.some((k) => k.value === value)),
        stop: () => Promise.resolve(),
      }),
  },

  "entra-app-secret": {
    outOfProcess: true,
    keepsPrevious: true,
    async start(stack) {
      const admin = new LocalEntraAdmin(stack.cloud.url, stack.tv.kv.tls.caPem);
      await admin.setPermissions(KVGUARD_OID, ["Application.ReadWrite.OwnedBy"]);
      const apps = new Map<string, string>();
      return {
        async seed(name) {
          const app = await admin.createApplication({ displayName: name.slice(0, 100), owners: [KVGUARD_OID] });
          const initial = await admin.addPassword(app.id, { displayName: "made by hand" });
          apps.set(name, app.appId);
          return {
            value: initial.secretText,
            tags: { "kvguard-rotator": "entra-app-secret", ProviderAddress: app.appId, CredentialId: initial.keyId, "kvguard-options": "propagationSeconds=0" },
            binding: { applications: [app.appId] },
          };
        },
        works: (name, value) => secretWorks(stack, apps.get(name)!, value),
        held: async (name) => (await admin.getApplication(apps.get(name)!)).passwordCredentials.length,
        stop: () => Promise.resolve(),
      };
    },
  },

  postgres: {
    outOfProcess: true,
    keepsPrevious: false,
    async start() {
      const pgs = await startTestPostgres();
      return {
        async seed(name) {
          const role = `r_${short(name)}`;
          const value = `initial-${short(name)}-Pg4t`;
          await pgs.query(createRoleSql(role, value));
          // The test server has no TLS: the operator allows it there, as the other database tests do.
          return {
            value,
            tags: { "kvguard-rotator": "postgres", CredentialId: role, ProviderAddress: `127.0.0.1:${pgs.port}` },
            binding: { hosts: [`127.0.0.1:${pgs.port}`], tls: "disable" },
          };
        },
        works: (name, value) => pgs.canLogin(`r_${short(name)}`, value),
        held: (name) => rolesOf(pgs, `r_${short(name)}`),
        stop: () => pgs.close(),
      };
    },
  },

  // The alternating-users design: a managing user clones the role, the value (JSON) flips between the two.
  "postgres (alternating users)": {
    rotator: "postgres",
    outOfProcess: true,
    keepsPrevious: true,
    policy: { managers: [{ secret: ALT_MANAGER.secret, host: "127.0.0.1:*", for: ["*"] }] },
    async start(stack) {
      const pgs = await startTestPostgres();
      await pgs.query(createRoleSql(ALT_MANAGER.username, ALT_MANAGER.password, "CREATEROLE"));
      // The managing secret sits in every vault, since a rotation reads it from the vault of its secret.
      for (const vault of Object.keys(stack.tv.kv.urls))
        await kvguardSecrets(stack, vault).setSecret(ALT_MANAGER.secret, ALT_MANAGER.password, { tags: { CredentialId: ALT_MANAGER.username } });
      return {
        async seed(name) {
          const role = `a_${short(name)}`;
          const password = `initial-${short(name)}-Al7t`;
          await queryAs(pgs, ALT_MANAGER, [createRoleSql(role, password)]);
          return {
            value: JSON.stringify({ host: "127.0.0.1", port: pgs.port, username: role, password }),
            tags: { "kvguard-rotator": "postgres", "kvguard-options": `strategy=alternating;manager=${ALT_MANAGER.secret}` },
            contentType: "application/json",
            binding: { hosts: [`127.0.0.1:${pgs.port}`], tls: "disable" },
          };
        },
        works(_name, value) {
          const login = JSON.parse(value) as { username: string; password: string };
          return pgs.canLogin(login.username, login.password);
        },
        // The role and its clone, and no other (an orphan clone would be a third).
        held: (name) => rolesOf(pgs, `a_${short(name)}`),
        stop: () => pgs.close(),
      };
    },
  },

  mysql: {
    outOfProcess: true,
    keepsPrevious: false,
    needs: "mariadb",
    async start() {
      const db = await new MariadbScratch().start();
      const users = new Map<string, string>();
      return {
        async seed(name) {
          const value = `initial-${short(name)}-My4t`;
          users.set(name, await db.user(short(name), value));
          return {
            value,
            tags: { "kvguard-rotator": "mysql", CredentialId: users.get(name)!, ProviderAddress: `${MARIADB.host}:${MARIADB.port}` },
            binding: { hosts: [`${MARIADB.host}:${MARIADB.port}`], tls: "disable" },
          };
        },
        works: (name, value) => db.canLogin(users.get(name)!, value),
        stop: () => db.stop(),
      };
    },
  },

  "key-pair": {
    outOfProcess: true,
    keepsPrevious: true,
    start(stack) {
      const search = CASES.find((c) => c.kind === "search")!;
      const cases = new Map<string, KeyPairCase>();
      const unused = new Capture();
      return Promise.resolve({
        async seed(name) {
          const c = named(search, short(name));
          cases.set(name, c);
          const id = await makeResource(stack, c);
          return {
            value: keysOf(stack, c, unused)[0],
            tags: { "kvguard-rotator": "key-pair", ProviderAddress: id, CredentialId: c.names[0] },
            binding: { resources: [id] },
          };
        },
        works: (name, value) => Promise.resolve(keysOf(stack, cases.get(name)!, unused).includes(value)),
        stop: () => Promise.resolve(),
      });
    },
  },

  sqlserver: {
    outOfProcess: false,
    keepsPrevious: false,
    // SQL Server cannot run here: the sqlserver rotator's code over a fake server in this process (see fakeSqlServer.ts).
    start() {
      const fake = new FakeSqlServer();
      registerRotator(createSqlRotator(createSqlServerDialect(fake.connect), "sqlserver-contract"));
      fake.database("app", 0);
      return Promise.resolve({
        seed(name) {
          const user = `app_${short(name)}`;
          const value = `Initial-${short(name)}-Ss9!`;
          fake.addLogin(user, value);
          fake.addUser("app", user, { login: user, roles: ["db_datareader"] });
          return Promise.resolve({
            value,
            tags: {
              "kvguard-rotator": "sqlserver-contract",
              CredentialId: user,
              ProviderAddress: "sql.example.test",
              "kvguard-options": "database=app;tls=require",
            },
            binding: { hosts: ["sql.example.test:*"], tls: "require" },
          });
        },
        works: (name, value) => fake.canLogin(`app_${short(name)}`, value, "app"),
        stop: () => Promise.resolve(),
      });
    },
  },
};

/**
 * What the contract needs of each native rotator (keys, certificates): how to make an object it manages
 * (due now, or not), and the object's versions. Key Vault itself is the target: a version exists or not.
 */
export interface NativeFixture {
  kind: "key" | "certificate";
  /** `kvguard rotate`'s flag for the kind. */
  flag: string;
  /** The steps a first on-demand run passes (its kill points), in order. */
  steps: readonly ("set" | "create" | "finish")[];
  /** The tag a hostile value goes into (a policy field the rotator parses). */
  hostileTag: string;
  /** Makes `name` in `vault`; `due`: the sweep finds a new version due at once; `tags` over the fixture's. Returns its first version. */
  seed(stack: LocalStack, name: string, options?: { vault?: string; due?: boolean; tags?: Record<string, string> }): Promise<string>;
  versions(stack: LocalStack, name: string, vault?: string): Promise<string[]>;
}

const kvguardClients = (stack: LocalStack, vault = "local") => stack.tv.clients({ name: "kvguard" }, vault);

export const NATIVE_FIXTURES: Record<string, NativeFixture> = {
  "keyvault-key": {
    kind: "key",
    flag: "--key",
    // A fresh key's native policy is not kvguard's yet: the first run reconciles it (set), then rotates.
    steps: ["set", "create", "finish"],
    hostileTag: "kvguard-rotate-every",
    async seed(stack, name, options = {}) {
      const keys = kvguardClients(stack, options.vault).keys;
      const tags = { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P7D", ...options.tags };
      const key = await keys.createEcKey(name, { curve: "P-256", tags });
      // Due: older than its rotation period, on the vault's clock (the key's own stack).
      if (options.due) stack.tv.kv.clock.advance(8 * 86_400);
      return key.properties.version!;
    },
    async versions(stack, name, vault) {
      const out: string[] = [];
      for await (const v of kvguardClients(stack, vault).keys.listPropertiesOfKeyVersions(name)) out.push(v.version!);
      return out;
    },
  },

  "keyvault-certificate": {
    kind: "certificate",
    flag: "--certificate",
    steps: ["create", "finish"],
    hostileTag: "kvguard-rotate-before-expiry-days",
    async seed(stack, name, options = {}) {
      const certificates = kvguardClients(stack, options.vault).certificates;
      // Self-signed, no AutoRenew: Key Vault would let it expire. Due: it expires within the renewal lead.
      const policy = {
        issuerName: "Self",
        subject: `CN=${name.slice(0, 60)}.contract.test`,
        validityInMonths: options.due ? 2 : 12,
        // Key Vault's default is AutoRenew at 80%: this one only warns.
        lifetimeActions: [{ action: "EmailContacts" as const, lifetimePercentage: 90 }],
      };
      const made = await (await certificates.beginCreateCertificate(name, policy, { tags: options.tags ?? {} })).pollUntilDone();
      // Due: within Key Vault's 30-day lead, on the vault's clock; its renewal (two months again) is not.
      if (options.due) stack.tv.kv.clock.advance(40 * 86_400);
      return made.properties.version!;
    },
    async versions(stack, name, vault) {
      const out: string[] = [];
      for await (const v of kvguardClients(stack, vault).certificates.listPropertiesOfCertificateVersions(name)) out.push(v.version!);
      return out;
    },
  },
};
