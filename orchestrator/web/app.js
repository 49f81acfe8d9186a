// The dashboard: sign-in, the two pages (#bots, #rooms), the event stream, and the
// messages. No framework and no build step: plain modules served by meetbridge.

import { ApiError, BAD_KEY, UNREACHABLE, call, session } from "./api.js";
import { BotsPage } from "./bots.js";
import { EventStream } from "./events.js";
import { RoomsPage } from "./rooms.js";

const VIEWS = ["bots", "rooms"];
const NOTICE_MS = 8000;

class Dashboard {
  constructor() {
    this.view = null;
    this.signedIn = false;
    this.messages = document.getElementById("messages");
    this.announcer = document.getElementById("announcer");
    this.connection = document.getElementById("connection");
    this.bots = null;
    this.rooms = null;
    this.stream = null;
    this.ticker = null;
    this.noticeTimer = null;
    document.getElementById("sign-in-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.signIn(document.getElementById("api-key").value.trim());
    });
    document.getElementById("sign-out").addEventListener("click", () => {
      this.signOut();
      this.notify("Signed out. The key is no longer kept in this tab.");
    });
    window.addEventListener("hashchange", () => this.route());
  }

  start() {
    if (session.key) this.enter();
    else this.showSignIn();
  }

  // -- signing in and out -------------------------------------------------------------

  showSignIn() {
    this.signedIn = false;
    this.show("sign-in-view");
    document.getElementById("nav").hidden = true;
    document.getElementById("sign-out").hidden = true;
    document.getElementById("api-key-error").textContent = "";
    this.connection.hidden = true;
    document.title = "Sign in · meetbridge";
  }

  async signIn(key) {
    const error = document.getElementById("api-key-error");
    const input = document.getElementById("api-key");
    const button = document.getElementById("sign-in-button");
    if (!key) {
      error.textContent = "Enter an API key.";
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    button.disabled = true;
    error.textContent = "";
    try {
      await call("GET", "/v1/bots", { key }); // does meetbridge take this key?
    } catch (failure) {
      const message = failure instanceof ApiError ? failure.message : UNREACHABLE;
      error.textContent = message;
      input.setAttribute("aria-invalid", "true");
      this.showMessage(message, "error");
      input.focus();
      return;
    } finally {
      button.disabled = false;
    }
    input.value = "";
    input.removeAttribute("aria-invalid");
    session.signIn(key);
    this.clearMessage();
    await this.enter();
    document.getElementById(`${this.view}-title`).focus();
  }

  async enter() {
    this.signedIn = true;
    this.bots = new BotsPage(this);
    this.rooms = new RoomsPage(this);
    document.getElementById("nav").hidden = false;
    document.getElementById("sign-out").hidden = false;
    this.connection.hidden = false;
    this.ticker = setInterval(() => this.bots?.tick(), 1000);
    this.stream = new EventStream({
      onEvent: (type, payload) => this.onEvent(type, payload),
      onStatus: (status, retryInS) => this.onConnection(status, retryInS),
      onOpen: () => this.catchUp(),
      onUnauthorized: () => this.expired(),
    });
    this.stream.start();
    if (!VIEWS.includes(location.hash.slice(1))) history.replaceState(null, "", "#bots");
    this.route({ focus: false });
    await this.catchUp();
  }

  /** Read the bots (and rooms) again: at sign-in, and whenever the stream (re)opens,
   * as events may have passed while it was away. */
  async catchUp() {
    try {
      await this.bots?.load();
      await this.rooms?.load();
    } catch (error) {
      this.fail(error, { quietIfUnreachable: true });
    }
  }

  signOut() {
    this.stream?.stop();
    this.bots?.stop();
    this.rooms?.stop();
    clearInterval(this.ticker);
    this.stream = this.bots = this.rooms = null;
    session.signOut();
    this.view = null;
    this.showSignIn();
  }

  expired() {
    this.signOut();
    this.showMessage(`${BAD_KEY}. Sign in again with a valid key.`, "error");
    document.getElementById("api-key").focus();
  }

  // -- pages ---------------------------------------------------------------------------

  route({ focus = true } = {}) {
    if (!this.signedIn) return;
    const wanted = location.hash.slice(1);
    const view = VIEWS.includes(wanted) ? wanted : "bots";
    this.view = view;
    this.show(`${view}-view`);
    for (const name of VIEWS) {
      const link = document.getElementById(`nav-${name}`);
      if (name === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${view === "bots" ? "Bots" : "Rooms"} · meetbridge`;
    if (view === "rooms") this.rooms?.load();
    if (focus) document.getElementById(`${view}-title`).focus();
  }

  show(id) {
    for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== id;
  }

  botName(botId) {
    return this.bots?.bots.get(botId)?.display_name ?? botId;
  }

  // -- the event stream ----------------------------------------------------------------

  onEvent(type, payload) {
    if (type.startsWith("room.")) {
      this.rooms?.onEvent(payload);
    } else if (payload.bot_id) {
      this.bots?.onEvent(payload);
      this.rooms?.onEvent(payload);
    }
  }

  onConnection(status, retryInS) {
    const text = {
      connecting: "Connecting…",
      live: "Live",
      lost: retryInS ? `Connection lost, retrying in ${retryInS} s` : "Connection lost, retrying…",
    }[status];
    this.connection.textContent = text;
    this.connection.dataset.status = status;
    if (status === "lost" && retryInS) {
      if (this.messages.dataset.kind !== "connection") {
        this.showMessage(
          "Connection to meetbridge lost. The page retries by itself; what it shows may be out of date.",
          "error",
          "connection",
        );
      }
    } else if (status === "live" && this.messages.dataset.kind === "connection") {
      this.clearMessage();
      this.announce("Connection to meetbridge is back");
    }
  }

  // -- messages ------------------------------------------------------------------------

  /** An error for people: a refused key signs out; others show as a message. */
  fail(error, { quietIfUnreachable = false } = {}) {
    if (error instanceof ApiError && error.status === 401) {
      this.expired();
      return;
    }
    if (error instanceof ApiError && error.status === 0 && quietIfUnreachable) {
      return; // the connection indicator says so already
    }
    // The API's errors are in words for people; anything else is the page's own fault,
    // shown without its technical text.
    const message =
      error instanceof ApiError ? error.message : "Something went wrong in this page. Reload it to start again.";
    this.showMessage(message, "error");
  }

  notify(text) {
    this.showMessage(text, "info");
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      if (this.messages.dataset.kind === "info") this.clearMessage();
    }, NOTICE_MS);
  }

  announce(text) {
    // Cleared first, so the same words twice are read twice.
    this.announcer.textContent = "";
    setTimeout(() => (this.announcer.textContent = text), 50);
  }

  showMessage(text, level, kind = level) {
    clearTimeout(this.noticeTimer);
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "quiet dismiss";
    dismiss.textContent = "Dismiss";
    dismiss.setAttribute("aria-label", "Dismiss message");
    dismiss.addEventListener("click", () => this.clearMessage());
    const words = document.createElement("p");
    words.textContent = text;
    const box = document.createElement("div");
    box.className = `message ${level}`;
    box.append(words, dismiss);
    this.messages.replaceChildren(box);
    this.messages.dataset.kind = kind;
  }

  clearMessage() {
    this.messages.replaceChildren();
    delete this.messages.dataset.kind;
  }
}

const dashboard = new Dashboard();
// Whatever goes wrong in the page shows as a message, never as a blank page.
window.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  dashboard.fail(event.reason instanceof Error ? event.reason : new Error(String(event.reason)));
});
window.addEventListener("error", () => {
  dashboard.showMessage("Something went wrong in this page. Reload it to start again.", "error");
});
dashboard.start();
