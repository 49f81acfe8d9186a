// Small DOM helpers: elements built from data (never HTML strings made of it), and
// the words the dashboard uses for states, reasons and durations.

/** h("p", {class: "x"}, "text", child) → an element; attributes starting with "on" are listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  element.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return element;
}

export const STATE_LABELS = {
  queued: "Queued",
  booting: "Starting",
  joining: "Joining",
  waiting_room: "In the waiting room",
  in_meeting: "In the meeting",
  leaving: "Leaving",
  ended: "Ended",
  failed: "Failed",
};

export const RUNNING = new Set(["booting", "joining", "waiting_room", "in_meeting", "leaving"]);
export const FINISHED = new Set(["ended", "failed"]);

export const REASON_LABELS = {
  url_rejected: "the link was refused",
  devices_failed: "its devices did not start",
  join_timeout: "the join screens did not let it in in time",
  waiting_room_timeout: "nobody admitted it from the waiting room",
  join_failed: "joining failed",
  denied: "it was refused at the door",
  meeting_not_found: "the link leads to no meeting",
  passcode_wrong: "the passcode was wrong",
  sign_in_required: "the meeting admits only signed-in accounts",
  blocked_by_vendor: "the vendor's check against bots stopped it",
  removed: "it was removed from the meeting",
  meeting_ended: "the meeting ended",
  alone_timeout: "it was alone",
  everyone_left: "everyone else left",
  nobody_joined: "nobody joined",
  max_duration: "it stayed as long as it may",
  worker_lost: "its worker was lost",
  browser_crashed: "its browser crashed",
  cancelled: "it was cancelled",
  internal_error: "an internal error",
};

export function stateLabel(state) {
  return STATE_LABELS[state] ?? state;
}

export function reasonLabel(reason) {
  return REASON_LABELS[reason] ?? reason.replaceAll("_", " ");
}

/** "5 s", "3 min 20 s", "2 h 5 min" since `since` (an ISO time). */
export function duration(since, now = Date.now()) {
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

export function clockTime(date = new Date()) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Calls `fn` once `ms` have passed without another call. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
