/**
 * @module A custom topic's publish endpoint, `POST /eventgrid/topics/{topic}/api/events?api-version=2018-01-01`
 * on the local cloud, for `@azure/eventgrid`'s EventGridPublisherClient: the topic, the publisher's
 * credential, the api-version, then the events; 200 with an empty body once every event is accepted.
 */
import { CloudError, type CloudRoute } from "../host.js";
import { authorizePublish } from "./auth.js";
import { parsePublish, publishError } from "./events.js";
import type { LocalEventGrid } from "./localEventGrid.js";
import { topicId } from "./topic.js";

export function publishRoutes(eventGrid: LocalEventGrid): CloudRoute[] {
  return [
    {
      api: "eventgrid",
      method: "POST",
      path: "/eventgrid/topics/{topic}/api/events",
      handle(request) {
        const topic = eventGrid.get(request.params.topic!);
        if (!topic) throw publishError(404, `No topic named '${request.params.topic}' is served at this endpoint.`);
        const endpoint = eventGrid.endpointOf(topic);
        const auth = authorizePublish(topic, endpoint, request.headers, request.identity);
        if (!request.query.get("api-version")) {
          throw new CloudError(400, "BadRequest", "The api-version query parameter is required (api-version=2018-01-01).");
        }
        const events = parsePublish(request.raw, request.headers["content-type"], topic.inputSchema, topicId(topic.name));
        eventGrid.publish(topic, events, auth);
        return { status: 200 };
      },
    },
  ];
}
