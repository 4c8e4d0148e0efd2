/**
 * @module Key Vault's naming rules, for names that arrive from outside (an HTTP route): a vault name is 3 to
 * 24 letters, digits and hyphens, starts with a letter, ends with a letter or digit, with no two hyphens in a
 * row; an object (secret, key, certificate) name is 1 to 127 letters, digits and hyphens. Each check returns
 * the rule a name breaks, or undefined.
 */

export function vaultNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 24) return "a vault name has 3 to 24 characters";
  if (!/^[0-9A-Za-z-]+$/.test(name)) return "a vault name has only letters, digits and hyphens";
  if (!/^[A-Za-z]/.test(name)) return "a vault name starts with a letter";
  if (!/[0-9A-Za-z]$/.test(name)) return "a vault name ends with a letter or digit";
  if (name.includes("--")) return "a vault name has no two hyphens in a row";
  return undefined;
}

export function objectNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 127) return "an object name has 1 to 127 characters";
  if (!/^[0-9A-Za-z-]+$/.test(name)) return "an object name has only letters, digits and hyphens";
  return undefined;
}
