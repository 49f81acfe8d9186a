// GET /v1/events read with fetch() (EventSource cannot send the Authorization header),
// parsed as server-sent events here, and reconnected with Last-Event-ID when it drops.

import { authHeaders } from "./api.js";

const SILENCE_LIMIT_MS = 45_000; // the API pings every 15 s: three missed, it is gone
const RETRY_MS = [1000, 2000, 5000, 10_000];

/** Splits a text stream into server-sent events ({id, event, data}). */
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = "";
    this.endedWithCr = false;
    this.reset();
  }

  reset() {
    this.id = null;
    this.event = "";
    this.data = [];
  }

  push(text) {
    // A CR LF split across two chunks is one line end, not two.
    if (this.endedWithCr && text.startsWith("\n")) text = text.slice(1);
    this.endedWithCr = text.endsWith("\r");
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop(); // an unfinished line waits for the rest
    for (const line of lines) this.line(line);
  }

  line(line) {
    if (line === "") {
      if (this.data.length) {
        this.onEvent({ id: this.id, event: this.event || "message", data: this.data.join("\n") });
      }
      this.reset();
      return;
    }
    if (line.startsWith(":")) return; // a comment: the server's ping
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id") this.id = value;
  }
}

/**
 * Follows the key's events. `onEvent(type, payload)` per event; `onStatus(status,
 * retryInS)` with "connecting", "live" or "lost"; `onOpen(resumed)` each time the
 * stream (re)opens, so the caller can catch up; `onUnauthorized()` when the key is refused.
 */
export class EventStream {
  constructor({ onEvent, onStatus, onOpen, onUnauthorized }) {
    Object.assign(this, { onEvent, onStatus, onOpen, onUnauthorized });
    this.lastEventId = null;
    this.stopped = true;
    this.controller = null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.run();
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
  }

  async run() {
    let attempt = 0;
    while (!this.stopped) {
      this.onStatus(attempt ? "lost" : "connecting", 0);
      try {
        const finished = await this.follow();
        if (finished === "unauthorized") {
          this.stopped = true;
          this.onUnauthorized();
          return;
        }
        attempt = 0; // it was open: a fresh first wait
      } catch {
        // a network error or our silence timer: retry below
      }
      if (this.stopped) return;
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      attempt += 1;
      this.onStatus("lost", Math.round(wait / 1000));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async follow() {
    this.controller = new AbortController();
    const headers = authHeaders({ Accept: "text/event-stream" });
    if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
    const response = await fetch("/v1/events", {
      headers,
      signal: this.controller.signal,
      cache: "no-store",
      credentials: "omit",
    });
    if (response.status === 401) return "unauthorized";
    if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
    const resumed = this.lastEventId !== null;
    this.onStatus("live", 0);
    this.onOpen(resumed);
    const parser = new SseParser((message) => {
      if (message.id) this.lastEventId = message.id;
      let payload;
      try {
        payload = JSON.parse(message.data);
      } catch {
        return;
      }
      this.onEvent(message.event, payload);
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let silence = setTimeout(() => this.controller.abort(), SILENCE_LIMIT_MS);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return "ended";
        clearTimeout(silence);
        silence = setTimeout(() => this.controller.abort(), SILENCE_LIMIT_MS);
        parser.push(value);
      }
    } finally {
      clearTimeout(silence);
    }
  }
}
