/** @module What the settings table says about each setting beyond its schema, registered beside the schema. */
import { z } from "zod";

export interface SettingDoc {
  description: string;
  example?: string;
  /** Required unless this other setting is set (the schema alone cannot say so). */
  requiredUnless?: string;
  /** A default the loader applies outside the field's schema (it depends on another setting). */
  default?: string;
}

export const docs = z.registry<SettingDoc>();
