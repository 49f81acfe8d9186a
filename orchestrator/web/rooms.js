// The Rooms page: pick bots and make a room; each open room's members, their states
// and media health, with a live level of what each member's meeting sends; remove a
// member; close a room. People in a room from the join page (the room's `guests`, by
// the invite they came through) are members too, shown "In browser", with no bot
// controls. Rooms are re-read every two seconds while the page shows (the
// workers report their seats' media that often), and at once on room events.

import { call } from "./api.js";
import { FINISHED, h, stateLabel } from "./dom.js";
import { InvitePanel } from "./invites.js";
import { vendorTitle } from "./bots.js";

const POLL_MS = 2000;
export const METER_FLOOR_DBFS = -60; // the meter's empty end; quieter reads as silent

export class RoomsPage {
  constructor(app) {
    this.app = app;
    this.rooms = new Map();
    this.cards = new Map();
    this.selected = new Set();
    this.list = document.getElementById("room-list");
    this.candidates = document.getElementById("room-candidates");
    this.form = document.getElementById("room-form");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.create();
    });
    this.loading = null;
    this.timer = setInterval(() => {
      if (this.app.view === "rooms" && !document.hidden) this.load();
    }, POLL_MS);
  }

  /** Read the key's rooms (one request at a time). */
  load() {
    this.loading ??= call("GET", "/v1/rooms")
      .then((answer) => {
        this.rooms = new Map(answer.rooms.map((room) => [room.id, room]));
        this.render();
      })
      .catch((error) => this.app.fail(error, { quietIfUnreachable: true }))
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  onEvent() {
    if (this.app.signedIn) this.load();
  }

  open() {
    return [...this.rooms.values()].filter((room) => !room.closed);
  }

  render() {
    const open = this.open();
    for (const [id, card] of this.cards) {
      if (!open.some((room) => room.id === id)) {
        card.element.remove();
        this.cards.delete(id);
      }
    }
    open.forEach((room, index) => {
      let card = this.cards.get(room.id);
      if (!card) {
        card = new RoomCard(this, room);
        this.cards.set(room.id, card);
      }
      card.update(room);
      if (this.list.children[index] !== card.element) {
        this.list.insertBefore(card.element, this.list.children[index] ?? null);
      }
    });
    document.getElementById("rooms-empty").hidden = open.length > 0;
    const closed = this.rooms.size - open.length;
    const closedNote = document.getElementById("rooms-closed");
    closedNote.hidden = closed === 0;
    closedNote.textContent = `${closed} closed room${closed === 1 ? "" : "s"} not shown.`;
    this.botsChanged();
  }

  /** The bots that may go into a new room: not finished, in no open room. */
  botsChanged() {
    const seated = new Set(this.open().flatMap((room) => room.members.map((m) => m.bot_id)));
    const free = [...this.app.bots.bots.values()]
      .filter((bot) => !FINISHED.has(bot.state) && !seated.has(bot.id))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    for (const id of [...this.selected]) {
      if (!free.some((bot) => bot.id === id)) this.selected.delete(id);
    }
    const rows = new Map(
      [...this.candidates.children].map((row) => [row.dataset.botId, row]),
    );
    for (const [id, row] of rows) if (!free.some((bot) => bot.id === id)) row.remove();
    free.forEach((bot, index) => {
      let row = rows.get(bot.id);
      if (!row) row = this.candidateRow(bot);
      row.querySelector(".candidate-state").textContent =
        `${stateLabel(bot.state)} · ${vendorTitle(bot.vendor)}`;
      if (this.candidates.children[index] !== row) {
        this.candidates.insertBefore(row, this.candidates.children[index] ?? null);
      }
    });
    document.getElementById("room-candidates-empty").hidden = free.length > 0;
    document.getElementById("create-room").disabled = free.length === 0;
  }

  candidateRow(bot) {
    const id = `pick-${bot.id}`;
    const box = h("input", {
      type: "checkbox",
      id,
      value: bot.id,
      onchange: () => (box.checked ? this.selected.add(bot.id) : this.selected.delete(bot.id)),
    });
    return h(
      "li",
      { dataset: { botId: bot.id } },
      box,
      h(
        "label",
        { for: id },
        h("span", { class: "name" }, bot.display_name),
        " ",
        h("span", { class: "candidate-state hint" }),
      ),
    );
  }

  async create() {
    const bots = [...this.selected];
    if (bots.length === 0) {
      this.app.showMessage("Pick at least one bot for the room (two or more bridge their meetings).", "error");
      return;
    }
    const button = document.getElementById("create-room");
    button.disabled = true;
    try {
      const room = await call("POST", "/v1/rooms", { body: { bots } });
      this.selected.clear();
      for (const box of this.candidates.querySelectorAll("input")) box.checked = false;
      this.rooms.set(room.id, room);
      this.render();
      this.app.notify(`Room created with ${bots.length} bot${bots.length === 1 ? "" : "s"}.`);
      this.cards.get(room.id)?.heading.focus();
    } catch (error) {
      this.app.fail(error);
    } finally {
      button.disabled = false;
      this.botsChanged();
    }
  }

  async removeMember(room, botId, button) {
    button.disabled = true;
    try {
      const changed = await call(
        "DELETE",
        `/v1/rooms/${encodeURIComponent(room.id)}/bots/${encodeURIComponent(botId)}`,
      );
      this.rooms.set(changed.id, changed);
      this.render();
      this.app.announce(`${this.app.botName(botId)} left the room`);
      this.cards.get(room.id)?.heading.focus();
    } catch (error) {
      button.disabled = false;
      this.app.fail(error);
    }
  }

  async close(room, button) {
    button.disabled = true;
    try {
      const closed = await call("DELETE", `/v1/rooms/${encodeURIComponent(room.id)}`);
      this.rooms.set(closed.id, closed);
      this.render();
      this.app.notify("Room closed: its meetings no longer hear or see each other.");
      document.getElementById("room-list-title").focus();
    } catch (error) {
      button.disabled = false;
      this.app.fail(error);
    }
  }

  stop() {
    clearInterval(this.timer);
    this.list.replaceChildren();
    this.candidates.replaceChildren();
    this.cards.clear();
    this.rooms.clear();
    this.selected.clear();
  }
}

class RoomCard {
  constructor(page, room) {
    this.page = page;
    this.room = room;
    const id = `room-${room.id}`;
    this.heading = h("h3", { id: `${id}-title`, tabindex: "-1" });
    this.summary = h("p", { class: "room-summary" });
    this.health = h("span", { class: "badge" });
    this.flowing = h("span", { class: "badge" });
    this.rows = new Map(); // bot id -> MemberRow
    this.guestRows = new Map(); // invite id -> GuestRow
    this.body = h("tbody");
    this.closeButton = h(
      "button",
      { type: "button", class: "danger", onclick: () => page.close(this.room, this.closeButton) },
      "Close room",
    );
    this.invites = new InvitePanel(page.app, room.id, `${id}-title`);
    this.element = h(
      "article",
      { class: "room card", "aria-labelledby": `${id}-title`, dataset: { roomId: room.id } },
      h(
        "div",
        { class: "room-head" },
        h("div", {}, this.heading, this.summary),
        h("p", { class: "room-badges" }, this.health, " ", this.flowing),
        this.closeButton,
      ),
      h(
        "table",
        { class: "members" },
        h("caption", { class: "visually-hidden" }, "Members"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Member"),
            h("th", { scope: "col" }, "State"),
            h("th", { scope: "col" }, "Sound its meeting sends"),
            h("th", { scope: "col" }, "Media"),
            h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
          ),
        ),
        this.body,
      ),
      this.invites.element,
    );
  }

  update(room) {
    this.room = room;
    const created = new Date(room.created_at);
    this.heading.textContent = `Room ${room.id.replace(/^room_/, "").slice(0, 8)}`;
    this.closeButton.setAttribute("aria-label", `Close ${this.heading.textContent}`);
    const guests = room.guests ?? [];
    const count = room.members.length + guests.length;
    const inBrowser = guests.length ? ` (${guests.length} in a browser)` : "";
    const members = `${count} member${count === 1 ? "" : "s"}${inBrowser}`;
    this.summary.textContent = `${members} · made ${created.toLocaleTimeString()}`;
    this.health.textContent = room.health === "wired" ? "Wired" : "Degraded";
    this.health.className = `badge health-${room.health}`;
    this.flowing.textContent = room.media_flowing ? "Media flowing" : "Media not flowing";
    this.flowing.className = `badge ${room.media_flowing ? "flowing" : "not-flowing"}`;
    for (const [botId, row] of this.rows) {
      if (!room.members.some((member) => member.bot_id === botId)) {
        row.element.remove();
        this.rows.delete(botId);
      }
    }
    for (const [inviteId, row] of this.guestRows) {
      if (!guests.some((guest) => guest.invite_id === inviteId)) {
        row.element.remove();
        this.guestRows.delete(inviteId);
      }
    }
    const rows = room.members.map((member) => {
      let row = this.rows.get(member.bot_id);
      if (!row) {
        row = new MemberRow(this, member.bot_id);
        this.rows.set(member.bot_id, row);
      }
      row.update(member);
      return row.element;
    });
    for (const guest of guests) {
      let row = this.guestRows.get(guest.invite_id);
      if (!row) {
        row = new GuestRow(guest.invite_id);
        this.guestRows.set(guest.invite_id, row);
      }
      row.update(guest);
      rows.push(row.element);
    }
    rows.forEach((element, index) => {
      if (this.body.children[index] !== element) {
        this.body.insertBefore(element, this.body.children[index] ?? null);
      }
    });
    if (count === 0) {
      this.body.replaceChildren(
        h("tr", { class: "no-members" }, h("td", { colspan: 5 }, "No members.")),
      );
      this.rows.clear();
    } else {
      this.body.querySelector("tr.no-members")?.remove();
    }
    this.invites.showGuests(guests);
  }
}

/** A person in the room from the join page: their name, "In browser", nothing to press
 * (withdrawing their invite, below, takes them out). */
class GuestRow {
  constructor(inviteId) {
    this.name = h("th", { scope: "row" });
    this.element = h(
      "tr",
      { class: "guest", dataset: { guestId: inviteId } },
      this.name,
      h("td", {}, h("span", { class: "badge in-browser" }, "In browser")),
      h("td", { class: "level-cell hint" }, "not measured"),
      h("td", { class: "media" }, "joined through an invite link"),
      h("td", {}),
    );
  }

  update(guest) {
    this.name.textContent = guest.name;
  }
}

class MemberRow {
  constructor(card, botId) {
    this.card = card;
    this.botId = botId;
    this.name = h("th", { scope: "row" });
    this.state = h("span", { class: "badge" });
    this.meter = h("meter", {
      min: METER_FLOOR_DBFS,
      max: 0,
      low: -45,
      high: -6,
      optimum: -20,
      value: METER_FLOOR_DBFS,
      class: "level",
    });
    this.levelText = h("span", { class: "level-text" });
    this.media = h("td", { class: "media" });
    this.removeButton = h(
      "button",
      {
        type: "button",
        class: "secondary",
        onclick: () => card.page.removeMember(card.room, botId, this.removeButton),
      },
      "Remove",
    );
    this.element = h(
      "tr",
      { dataset: { botId } },
      this.name,
      h("td", {}, this.state),
      h("td", { class: "level-cell" }, this.meter, " ", this.levelText),
      this.media,
      h("td", {}, this.removeButton),
    );
  }

  update(member) {
    const name = this.card.page.app.botName(member.bot_id);
    this.name.textContent = name;
    this.state.textContent = stateLabel(member.state);
    this.state.className = `badge state-${member.state}`;
    const level = member.audio_level_dbfs;
    this.element.dataset.level = level ?? "";
    if (level === null || level === undefined) {
      this.meter.value = METER_FLOOR_DBFS;
      this.levelText.textContent = "not measured yet";
    } else {
      this.meter.value = Math.max(level, METER_FLOOR_DBFS);
      this.levelText.textContent = level <= METER_FLOOR_DBFS ? "silent" : `${level.toFixed(0)} dBFS`;
    }
    this.meter.setAttribute("aria-label", `Sound ${name}'s meeting sends into the room`);
    this.meter.setAttribute("aria-valuetext", this.levelText.textContent);
    this.media.textContent = mediaText(member, this.card.page.app);
    this.removeButton.setAttribute("aria-label", `Remove ${name} from the room`);
  }
}

function mediaText(member, app) {
  const media = member.media;
  if (!media) return "Not wired yet";
  if (media.status !== "wired") return `Error: ${media.error ?? "unknown"}`;
  const path = media.path === "same_host" ? "same host" : "through Janus";
  const parts = [`${path}`, `hears the room ${media.audio_in_fps}/s`];
  if (media.audio_out_fps !== null && media.audio_out_fps !== undefined) {
    parts.push(`sends ${media.audio_out_fps}/s`);
  }
  for (const [source, fps] of Object.entries(media.video_in_fps ?? {})) {
    parts.push(`sees ${app.botName(source)} at ${fps} fps`);
  }
  return parts.join(" · ");
}
