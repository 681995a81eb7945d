import type { WebhookPost } from '../events/sinks/webhook.js';

export interface CapturedWebhook {
  url: string;
  headers: Record<string, string>;
  /** The exact bytes that would have been POSTed. */
  body: string;
  capturedAt: string;
}

/** Webhook deliveries kept instead of sent: each is answered 200, so the worker counts it delivered. */
export function createWebhookCapture(now: () => Date) {
  let captured: CapturedWebhook[] = [];
  const post: WebhookPost = async (url, init) => {
    captured.push({ url, headers: { ...init.headers }, body: init.body, capturedAt: now().toISOString() });
    return new Response(null, { status: 200 });
  };
  return {
    post,
    list: (): CapturedWebhook[] => [...captured],
    clear(): void {
      captured = [];
    },
  };
}
