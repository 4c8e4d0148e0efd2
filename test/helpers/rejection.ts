/** The RestError a failing SDK call rejects with (fails the test if it resolves or throws something else). */
import { RestError } from "@azure/core-rest-pipeline";
import { expect } from "vitest";

export async function rejection(promise: Promise<unknown>): Promise<RestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestError);
  return error as RestError;
}
