/**
 * The tests' Teams Workflows webhook: the local stack's catcher, on a URL signed as Teams' are, with every
 * card also validated by the `adaptivecards` package.
 */
import { TeamsCatcher } from "../../../dev/alerts/teamsCatcher.js";
import { cardErrors } from "./cardValidator.js";

export type TeamsReceiver = TeamsCatcher;

export function startTeamsReceiver(): Promise<TeamsReceiver> {
  return TeamsCatcher.start({
    sig: "c2lnbmF0dXJlLXNlY3JldA",
    check: (payload) => (payload.attachments?.[0]?.content ? cardErrors(payload.attachments[0].content) : []),
  });
}
