// The Bots page: sending a bot (the link checked through the API as it is typed), the
// key's bots kept live from the event stream, and a thumbnail of each running bot's
// display refreshed every few seconds.

import { ApiError, call, request } from "./api.js";
import {
  FINISHED,
  RUNNING,
  clockTime,
  debounce,
  duration,
  h,
  reasonLabel,
  stateLabel,
} from "./dom.js";

export const VENDOR_TITLES = {
  janus: "Janus (lab)",
  jitsi: "Jitsi Meet",
  google_meet: "Google Meet",
  teams: "Microsoft Teams",
  zoom: "Zoom",
  webex: "Webex",
};

const THUMBNAIL_EVERY_MS = 3000;
const CHECK_AFTER_MS = 350; // typing pause before the link is checked
const FINISHED_SHOWN = 20;
const LINK_HINT =
  "Paste a link to a Google Meet, Microsoft Teams, Zoom, Jitsi or Webex meeting.";

export function vendorTitle(vendor) {
  return VENDOR_TITLES[vendor] ?? vendor;
}

export function botName(bot) {
  return bot ? bot.display_name : "a bot";
}

/** The key's bots (a Map by id), their cards, and the send form. */
export class BotsPage {
  constructor(app) {
    this.app = app;
    this.bots = new Map();
    this.cards = new Map();
    this.list = document.getElementById("bot-list");
    this.finished = document.getElementById("finished");
    this.finishedList = document.getElementById("finished-list");
    this.thumbnails = new Thumbnails(this);
    this.form = new SendForm(this);
  }

  get visible() {
    return this.app.view === "bots";
  }

  /** Replace what we know with the API's list (on sign-in and after a reconnect). */
  async load() {
    const answer = await call("GET", "/v1/bots");
    this.bots = new Map(answer.bots.map((bot) => [bot.id, bot]));
    this.render();
  }

  put(bot) {
    this.bots.set(bot.id, bot);
    this.render();
  }

  /** A bot.state event: change the bot in place, or fetch a bot we have not seen. */
  async onEvent(event) {
    const known = this.bots.get(event.bot_id);
    if (!known) {
      try {
        this.put(await call("GET", `/v1/bots/${encodeURIComponent(event.bot_id)}`));
      } catch (error) {
        this.app.fail(error);
      }
      return;
    }
    const changed = {
      ...known,
      state: event.state ?? known.state,
      reason: event.reason,
      detail: event.detail,
      updated_at: event.at ?? known.updated_at,
    };
    if (event.state === "in_meeting" && !known.joined_at) changed.joined_at = event.at;
    if (FINISHED.has(event.state) && !known.ended_at) changed.ended_at = event.at;
    this.put(changed);
    if (event.state === "in_meeting") this.app.announce(`${known.display_name} is in the meeting`);
    if (event.state === "failed") {
      const why = event.reason ? `: ${reasonLabel(event.reason)}` : "";
      this.app.announce(`${known.display_name} failed${why}`);
    }
  }

  render() {
    const all = [...this.bots.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
    const active = all.filter((bot) => !FINISHED.has(bot.state));
    const finished = all.filter((bot) => FINISHED.has(bot.state));
    for (const [id, card] of this.cards) {
      if (!active.some((bot) => bot.id === id)) {
        card.remove();
        this.cards.delete(id);
      }
    }
    active.forEach((bot, index) => {
      let card = this.cards.get(bot.id);
      if (!card) {
        card = new BotCard(this, bot);
        this.cards.set(bot.id, card);
      }
      card.update(bot);
      if (this.list.children[index] !== card.element) {
        this.list.insertBefore(card.element, this.list.children[index] ?? null);
      }
    });
    document.getElementById("bots-empty").hidden = all.length > 0;
    this.finished.hidden = finished.length === 0;
    document.getElementById("finished-summary").textContent =
      `Finished bots (${finished.length})`;
    this.finishedList.replaceChildren(
      ...finished.slice(0, FINISHED_SHOWN).map((bot) => finishedRow(bot)),
    );
    this.app.rooms?.botsChanged();
  }

  tick() {
    for (const card of this.cards.values()) card.tick();
  }

  async leave(bot, button) {
    button.disabled = true;
    try {
      this.put(await call("DELETE", `/v1/bots/${encodeURIComponent(bot.id)}`));
      this.app.announce(`${bot.display_name} is leaving its meeting`);
    } catch (error) {
      button.disabled = false;
      this.app.fail(error);
    }
  }

  stop() {
    this.thumbnails.stop();
    for (const card of this.cards.values()) card.remove();
    this.cards.clear();
    this.bots.clear();
  }
}

function finishedRow(bot) {
  const why = bot.reason ? ` (${reasonLabel(bot.reason)})` : "";
  const when = bot.ended_at ? `, ${new Date(bot.ended_at).toLocaleString()}` : "";
  return h(
    "li",
    { class: `finished-row state-${bot.state}` },
    h("span", { class: "name" }, bot.display_name),
    ` ${vendorTitle(bot.vendor)} · ${bot.meeting_host}: `,
    h("span", { class: "state-text" }, `${stateLabel(bot.state)}${why}${when}`),
  );
}

class BotCard {
  constructor(page, bot) {
    this.page = page;
    this.bot = bot;
    const id = `bot-${bot.id}`;
    this.image = h("img", { class: "thumb-image", alt: "", hidden: true, width: 320, height: 180 });
    this.thumbNote = h("p", { class: "thumb-note" }, "No picture yet");
    this.title = h("h3", { id: `${id}-name`, class: "bot-name" });
    this.meta = h("p", { class: "meta" });
    this.badge = h("span", { class: "badge" });
    this.since = h("span", { class: "since" });
    this.reason = h("p", { class: "reason" });
    this.leaveButton = h(
      "button",
      { type: "button", class: "leave danger", onclick: () => page.leave(this.bot, this.leaveButton) },
      "Leave",
    );
    this.element = h(
      "li",
      { class: "bot-card", dataset: { botId: bot.id } },
      h(
        "article",
        { "aria-labelledby": `${id}-name` },
        h("div", { class: "thumb" }, this.image, this.thumbNote),
        h(
          "div",
          { class: "bot-body" },
          this.title,
          this.meta,
          h("p", { class: "state" }, this.badge, " ", this.since),
          this.reason,
          h("div", { class: "actions" }, this.leaveButton),
        ),
      ),
    );
  }

  update(bot) {
    this.bot = bot;
    this.title.textContent = bot.display_name;
    this.meta.textContent = `${vendorTitle(bot.vendor)} · ${bot.meeting_host}`;
    this.badge.textContent = stateLabel(bot.state);
    this.badge.className = `badge state-${bot.state}`;
    this.element.dataset.state = bot.state;
    const why = [bot.reason ? reasonLabel(bot.reason) : "", bot.detail ?? ""].filter(Boolean);
    this.reason.textContent = why.join(": ");
    this.reason.hidden = why.length === 0;
    this.leaveButton.hidden = FINISHED.has(bot.state);
    this.leaveButton.disabled = bot.state === "leaving";
    this.leaveButton.setAttribute("aria-label", `Leave: ${bot.display_name}`);
    if (!RUNNING.has(bot.state) && this.image.hidden) {
      this.thumbNote.textContent = bot.state === "queued" ? "Waiting for a worker" : "No picture";
    }
    this.tick();
  }

  tick() {
    this.since.textContent = `for ${duration(this.bot.updated_at)}`;
  }

  /** Show a new picture; the previous object URL is freed once the new one shows. */
  show(url, at) {
    const old = this.image.dataset.objectUrl;
    this.image.onload = () => {
      if (old) URL.revokeObjectURL(old);
    };
    this.image.dataset.objectUrl = url;
    this.image.src = url;
    this.image.alt = `Screen of ${this.bot.display_name} at ${clockTime(at)}`;
    this.image.hidden = false;
    this.thumbNote.hidden = true;
  }

  remove() {
    const url = this.image.dataset.objectUrl;
    if (url) URL.revokeObjectURL(url);
    this.element.remove();
  }
}

/** Fetches each running bot's screenshot every few seconds, one request per bot at a
 * time, only while the Bots page shows and the tab is visible. */
class Thumbnails {
  constructor(page) {
    this.page = page;
    this.fetchedAt = new Map();
    this.inFlight = new Set();
    this.timer = setInterval(() => this.poll(), 500);
  }

  poll() {
    if (!this.page.visible || document.hidden) return;
    const now = Date.now();
    for (const [id, card] of this.page.cards) {
      if (!RUNNING.has(card.bot.state) || this.inFlight.has(id)) continue;
      if (now - (this.fetchedAt.get(id) ?? 0) < THUMBNAIL_EVERY_MS) continue;
      this.fetch(id, card);
    }
  }

  async fetch(id, card) {
    this.inFlight.add(id);
    this.fetchedAt.set(id, Date.now());
    try {
      const response = await request("GET", `/v1/bots/${encodeURIComponent(id)}/screenshot`);
      const blob = await response.blob();
      if (this.page.cards.get(id) === card) card.show(URL.createObjectURL(blob), new Date());
    } catch (error) {
      // 409: it stopped running; 504: it was busy. The next round tries again.
      if (error instanceof ApiError && error.status === 401) this.page.app.fail(error);
    } finally {
      this.inFlight.delete(id);
    }
  }

  stop() {
    clearInterval(this.timer);
  }
}

/** The send form: the link is checked by the API as it is typed (debounced), and a
 * refused link or name is explained before anything is sent. */
class SendForm {
  constructor(page) {
    this.page = page;
    this.form = document.getElementById("send-form");
    this.url = document.getElementById("meeting-url");
    this.name = document.getElementById("display-name");
    this.passcode = document.getElementById("passcode");
    this.verdict = document.getElementById("link-verdict");
    this.button = document.getElementById("send-button");
    this.pending = null; // the check in flight: {values, promise, controller}
    const later = debounce(() => this.check(), CHECK_AFTER_MS);
    this.url.addEventListener("input", later);
    this.name.addEventListener("input", later);
    this.url.addEventListener("paste", () => setTimeout(() => this.check(), 0));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
  }

  values() {
    return { meeting_url: this.url.value.trim(), display_name: this.name.value.trim() };
  }

  /** Check the current link (and name) through the API; resolves to the verdict. */
  check() {
    const values = this.values();
    const key = JSON.stringify(values);
    if (this.pending && this.pending.key === key) return this.pending.promise;
    if (this.pending) this.pending.controller.abort();
    if (!values.meeting_url) {
      this.pending = null;
      this.say("hint", LINK_HINT);
      return Promise.resolve({ ok: false, empty: true });
    }
    const controller = new AbortController();
    const body = { meeting_url: values.meeting_url };
    if (values.display_name) body.display_name = values.display_name;
    this.say("checking", "Checking the link…");
    const promise = call("POST", "/v1/meeting-links/check", { body, signal: controller.signal })
      .then((link) => {
        this.say(
          "ok",
          `${link.vendor_title} meeting on ${link.meeting_host}. The bot will open ${link.join_url}`,
        );
        return { ok: true, link };
      })
      .catch((error) => {
        if (error.name === "AbortError") return { ok: false, aborted: true };
        if (error instanceof ApiError && error.status === 422) {
          this.say("refused", `meetbridge will not send a bot there: ${error.message}`);
          return { ok: false, refused: true };
        }
        if (error instanceof ApiError && error.status === 401) this.page.app.fail(error);
        else this.say("warning", `The link could not be checked: ${error.message}`);
        return { ok: false };
      });
    this.pending = { key, promise, controller };
    return promise;
  }

  say(kind, text) {
    this.verdict.textContent = text;
    this.verdict.className = `verdict verdict-${kind}`;
    this.verdict.dataset.verdict = kind;
    const invalid = kind === "refused";
    this.url.setAttribute("aria-invalid", String(invalid));
  }

  async send() {
    const values = this.values();
    if (!values.meeting_url) {
      this.say("refused", "Paste the meeting's link first.");
      this.url.focus();
      return;
    }
    if (!values.display_name) {
      this.say("refused", "Give the bot a name for the meeting.");
      this.name.focus();
      return;
    }
    this.button.disabled = true;
    try {
      const verdict = await this.check();
      if (!verdict.ok) {
        if (verdict.refused) this.url.focus();
        return;
      }
      const body = { ...values };
      if (this.passcode.value) body.passcode = this.passcode.value;
      const bot = await call("POST", "/v1/bots", { body });
      this.page.put(bot);
      this.url.value = "";
      this.passcode.value = "";
      this.pending = null;
      this.say("hint", LINK_HINT);
      this.page.app.notify(`${bot.display_name} is on its way to the ${vendorTitle(bot.vendor)} meeting.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) {
        this.say("refused", `meetbridge will not send a bot there: ${error.message}`);
        this.url.focus();
      } else {
        this.page.app.fail(error);
      }
    } finally {
      this.button.disabled = false;
    }
  }
}
