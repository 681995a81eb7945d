/** What a webhook format produces: the exact bytes to POST and the headers that go with them. */
export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
}
