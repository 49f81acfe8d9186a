// ==== INVITES (issue 18: "per room: create and copy an invite link, and see who joined
// through it") ====
// The invite API (POST/GET/DELETE /v1/rooms/{id}/invites) shows here only when the
// API's OpenAPI document lists it, so the dashboard works with or without it.
// Who joined through an invite comes from the room itself (GET /v1/rooms: `guests`,
// the people in the room from a browser now, by invite id): each invite shows its
// name, expiry or withdrawal, and the name of whoever is in the room through it.

import { ApiError, call } from "./api.js";
import { h } from "./dom.js";

const ROUTE = "/v1/rooms/{room_id}/invites";
const LIFETIMES = [
  ["3600", "1 hour"],
  ["86400", "1 day"],
  ["604800", "7 days"],
];

let available = null; // a promise of whether the API has the route

/** Whether this meetbridge offers invites (asked once per page load). */
export function invitesAvailable() {
  available ??= fetch("/openapi.json", { cache: "no-store", credentials: "omit" })
    .then((response) => (response.ok ? response.json() : { paths: {} }))
    .then((schema) => Boolean(schema.paths && schema.paths[ROUTE] && schema.paths[ROUTE].post))
    .catch(() => false);
  return available;
}

/** The invite panel of one room: create a link, copy it, see the room's invites. */
export class InvitePanel {
  constructor(app, roomId, titleId) {
    this.app = app;
    this.roomId = roomId;
    this.created = h("div", { class: "invite-created" });
    this.list = h("ul", { class: "invite-list" });
    this.invites = []; // as last listed
    this.enabled = false; // whether the API offers invites
    this.guests = new Map(); // invite id -> the name of who is in the room through it
    const lifetimeId = `${roomId}-invite-lifetime`;
    this.lifetime = h(
      "select",
      { id: lifetimeId },
      LIFETIMES.map(([value, label]) => h("option", { value }, label)),
    );
    this.button = h(
      "button",
      { type: "button", class: "secondary", onclick: () => this.create() },
      "Create invite link",
    );
    this.element = h(
      "section",
      { class: "invites", "aria-labelledby": `${roomId}-invites-title` },
      h("h4", { id: `${roomId}-invites-title` }, "Invite links"),
      h(
        "div",
        { class: "invite-form", hidden: true },
        h("label", { for: lifetimeId }, "Link works for"),
        this.lifetime,
        this.button,
      ),
      h("p", { class: "hint invite-unavailable" }, "Invite links are not offered by this meetbridge."),
      this.created,
      this.list,
    );
    this.element.setAttribute("aria-describedby", titleId);
    invitesAvailable().then((yes) => {
      if (!yes) return;
      this.enabled = true;
      this.element.querySelector(".invite-form").hidden = false;
      this.element.querySelector(".invite-unavailable").hidden = true;
      this.refresh();
    });
  }

  path() {
    return `/v1/rooms/${encodeURIComponent(this.roomId)}/invites`;
  }

  async create() {
    this.button.disabled = true;
    try {
      const body = { expires_in_s: Number(this.lifetime.value) };
      const invite = await call("POST", this.path(), { body });
      const field = h("input", {
        type: "text",
        readonly: true,
        value: invite.url,
        id: `${this.roomId}-invite-url`,
        class: "invite-url",
      });
      const copy = h(
        "button",
        { type: "button", class: "secondary", onclick: () => this.copy(field, copy) },
        "Copy link",
      );
      this.created.replaceChildren(
        h("label", { for: field.id }, "New invite link (shown only now)"),
        h("div", { class: "copy-row" }, field, copy),
      );
      this.app.announce("Invite link created");
      await this.refresh();
    } catch (error) {
      this.app.fail(error);
    } finally {
      this.button.disabled = false;
    }
  }

  async copy(field, button) {
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select(); // no clipboard permission: leave it selected for Ctrl+C
      document.execCommand("copy");
    }
    button.textContent = "Copied";
    this.app.announce("Invite link copied");
    setTimeout(() => (button.textContent = "Copy link"), 2000);
  }

  async refresh() {
    try {
      const answer = await call("GET", this.path());
      this.invites = answer.invites ?? [];
      this.render();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.app.fail(error);
    }
  }

  /** Who is in the room through which invite (the room's `guests`), as it is re-read. */
  showGuests(guests) {
    const now = new Map(guests.map((guest) => [guest.invite_id, guest.name]));
    const same =
      now.size === this.guests.size && [...now].every(([id, name]) => this.guests.get(id) === name);
    if (same) return;
    const listed = new Set(this.invites.map((invite) => invite.id));
    this.guests = now;
    // An invite made elsewhere since the list was read: read it again.
    if (this.enabled && [...now.keys()].some((id) => !listed.has(id))) this.refresh();
    else this.render();
  }

  render() {
    // Rows are made anew: keep the keyboard's place on the one that had focus.
    const focused = this.list.contains(document.activeElement)
      ? document.activeElement.closest("li.invite")?.dataset.inviteId
      : undefined;
    this.list.replaceChildren(...this.invites.map((invite) => this.inviteRow(invite)));
    if (focused !== undefined) {
      this.list.querySelector(`li.invite[data-invite-id="${CSS.escape(focused)}"] button`)?.focus();
    }
  }

  inviteRow(invite) {
    const who = invite.display_name ?? "a guest who types a name";
    const guest = this.guests.get(invite.id); // who is in the room through it now
    const live = !invite.revoked && !invite.expired;
    const status = invite.revoked
      ? "withdrawn"
      : invite.expired
        ? "expired"
        : `works until ${new Date(invite.expires_at).toLocaleString()}`;
    const withdraw = h(
      "button",
      {
        type: "button",
        class: "quiet",
        "aria-label": `Withdraw the invite for ${guest ?? who}`,
        onclick: () => this.withdraw(invite, withdraw),
      },
      "Withdraw",
    );
    return h(
      "li",
      { class: "invite", dataset: { inviteId: invite.id } },
      h("span", {}, `For ${who}: ${status}`),
      guest === undefined
        ? null
        : h("span", { class: "badge in-browser joined-by" }, `${guest} is in the room`),
      live ? withdraw : null,
    );
  }

  async withdraw(invite, button) {
    button.disabled = true;
    try {
      await call("DELETE", `${this.path()}/${encodeURIComponent(invite.id)}`);
      this.app.announce("Invite withdrawn");
      await this.refresh();
    } catch (error) {
      button.disabled = false;
      this.app.fail(error);
    }
  }
}
// ==== end of INVITES ====
